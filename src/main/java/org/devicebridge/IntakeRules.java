package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.devicebridge.access.CredentialsActionPlanner;
import org.devicebridge.access.CredentialsPayloadValidator;
import org.devicebridge.access.YonomiDataFileValidator;
import org.devicebridge.home.CapabilityActionPlanner;
import org.devicebridge.inbox.CommandActionPlanner;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.ActionPlanner;
import org.devicebridge.intake.IntakePipeline;
import org.devicebridge.intake.Preflight;
import org.devicebridge.network.BulkActionPlanner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The intake's rules, read from the settings once for the running bridge and for {@code --dry-run}
 * alike (a helper of {@link BridgeConfiguration} and {@link BridgeMain}, not a configuration class), so
 * that both take in exactly the same: one planner per kind of action whose cloud is configured
 * (a cloud has a base URL, or the built-in simulator stands in for it; the pull model's
 * {@code command} needs none), the same default deadline, the same pipeline.
 */
final class IntakeRules {

    private IntakeRules() {
    }

    /**
     * One planner per kind of action whose cloud is configured or simulated ({@link CloudChoice});
     * the kinds of a cloud that is neither are refused by pre-flight, naming the missing setting.
     */
    static List<ActionPlanner> planners(Settings settings, ObjectMapper mapper) {
        CloudChoice choice = CloudChoice.of(settings);
        List<ActionPlanner> planners = new ArrayList<>();
        Map<String, String> refused = choice.refusedKinds();
        // the payload's rules are the access cloud's dialect's: its REST document, or the Yonomi data file
        planners.add(refused.containsKey(CredentialsActionPlanner.KIND) ? Preflight.refusing(CredentialsActionPlanner.KIND,
                refused.get(CredentialsActionPlanner.KIND)) : new CredentialsActionPlanner(AccessDialects.yonomi(settings)
                ? new YonomiDataFileValidator() : new CredentialsPayloadValidator()));
        planners.add(refused.containsKey(BulkActionPlanner.KIND) ? Preflight.refusing(BulkActionPlanner.KIND,
                refused.get(BulkActionPlanner.KIND)) : new BulkActionPlanner());
        planners.add(refused.containsKey(CapabilityActionPlanner.KIND) ? Preflight.refusing(CapabilityActionPlanner.KIND,
                refused.get(CapabilityActionPlanner.KIND)) : new CapabilityActionPlanner());
        planners.add(new CommandActionPlanner(mapper)); // the pull model needs no cloud
        return planners;
    }

    /** The one intake pipeline: pre-flight and planning by {@link #planners}, records written {@code bridge.intake.batch-size} at a time. */
    static IntakePipeline pipeline(Settings settings, ObjectMapper mapper, CallLimits limits) {
        return new IntakePipeline(new Preflight(planners(settings, mapper), limits.actionDeadline()),
                settings.integer("bridge.intake.batch-size", 1, 100_000),
                settings.duration("bridge.intake.flush-interval"),
                settings.integer("bridge.progress.every-records", 1, Integer.MAX_VALUE));
    }

    /** Threads that take in API bodies in the background. */
    static int backgroundThreads(Settings settings) {
        return settings.integer("bridge.intake.threads", 1, 64);
    }
}
