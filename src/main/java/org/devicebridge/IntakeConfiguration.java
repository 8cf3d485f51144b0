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

/**
 * The intake's configuration, read once for the running bridge and for {@code --dry-run} alike, so
 * that both take in exactly the same: one planner per kind of action whose cloud is configured
 * (a cloud has a base URL, or the built-in simulator stands in for it; the pull model's
 * {@code command} needs none), the same default deadline, the same pipeline.
 */
final class IntakeConfiguration {

    private IntakeConfiguration() {
    }

    /** One planner per kind of action whose cloud is configured; other kinds are refused at intake. */
    static List<ActionPlanner> planners(Settings settings, ObjectMapper mapper) {
        boolean simulator = settings.bool("bridge.simulator.enabled");
        List<ActionPlanner> planners = new ArrayList<>();
        if (simulator || settings.optional("bridge.access.base-url").isPresent()) {
            // the payload's rules are the access cloud's dialect's: its REST document, or the Yonomi data file
            planners.add(new CredentialsActionPlanner(AccessDialects.yonomi(settings) ? new YonomiDataFileValidator()
                    : new CredentialsPayloadValidator()));
        }
        if (simulator || settings.optional("bridge.network.base-url").isPresent()) {
            planners.add(new BulkActionPlanner());
        }
        if (simulator || settings.optional("bridge.home.base-url").isPresent()) {
            planners.add(new CapabilityActionPlanner());
        }
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
