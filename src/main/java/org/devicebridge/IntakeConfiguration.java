package org.devicebridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.devicebridge.intake.ActionIntake;
import org.devicebridge.intake.BatchReader;
import org.devicebridge.intake.FileIntake;
import org.devicebridge.intake.MessageIntake;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.IntakeWriter;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.network.NetworkCloudAdapter;
import org.devicebridge.results.CommandView;
import org.devicebridge.results.RequestReporter;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Wires the way in and the way out of a request: the one {@code intake} of every trigger (its
 * rules from {@link IntakeRules}, the same for {@code --dry-run}), the {@code fileIntake} of the
 * inbox and the {@code messageIntake} of the queue and the batch-intake template; the
 * {@code commandView} (a command as the API, the result files and the events show it), the
 * {@code reporter} of result files and the {@code onceMode} of one-shot runs.
 */
final class IntakeConfiguration extends ConcernConfiguration {

    /** The folders, absolute ({@link BridgeConfiguration} made them so). */
    @PropertyInject("bridge.inbox.dir")
    String inbox;
    @PropertyInject("bridge.archive.dir")
    String archive;
    @PropertyInject("bridge.deadletter.dir")
    String deadLetter;
    @PropertyInject("bridge.outbox.dir")
    String outbox;
    /** How a producer marks a dropped file complete: rename or done-file. */
    @PropertyInject("bridge.inbox.ready")
    String ready;

    @BeanInject("ledger")
    Ledger ledger;
    @BeanInject("commandStore")
    CommandStore commandStore;
    @BeanInject("callLog")
    CallLog callLog;
    @BeanInject("ledgerReads")
    LedgerReads reads;
    @BeanInject("networkCloud")
    NetworkCloudAdapter network;
    @BeanInject("cloudChoice")
    CloudChoice choice;
    @BeanInject("jsonMapper")
    ObjectMapper mapper;

    @BindToRegistry("intake")
    public ActionIntake intake() {
        return once("intake", () -> {
            Settings settings = settings();
            int threads = IntakeRules.backgroundThreads(settings);
            return new ActionIntake(writer(), new BatchReader(mapper), IntakeRules.pipeline(settings, mapper, CallLimits.of(settings)),
                    getCamelContext().getExecutorServiceManager().newFixedThreadPool(writer(), "intake", threads), threads);
        });
    }

    @BindToRegistry("fileIntake")
    public FileIntake fileIntake() {
        return new FileIntake(intake(), Path.of(archive), Path.of(deadLetter), readyRule(), mapper, Clock.systemUTC());
    }

    @BindToRegistry("messageIntake")
    public MessageIntake messageIntake() {
        return new MessageIntake(intake());
    }

    @BindToRegistry("commandView")
    public CommandView commandView() {
        return once("commandView", () -> new CommandView(callLog, reads, mapper, choice.simulatedKinds()));
    }

    @BindToRegistry("reporter")
    public RequestReporter reporter() {
        return once("reporter", () -> new RequestReporter(commandStore, reads, commandView(), mapper, Path.of(outbox), writer()));
    }

    @BindToRegistry("onceMode")
    public OnceMode onceMode() {
        Settings settings = settings();
        return new OnceMode(settings.bool("bridge.once"), ledger, commandStore, reads, reporter(), Path.of(inbox),
                settings.required("bridge.inbox.include"), settings.duration("bridge.once.max-wait"));
    }

    /** A batch whose deadline comes before the network cloud could take it is warned about; the demo's inbox is seeded. */
    @Override
    public void configure(CamelContext context) {
        intake().onIntakeComplete(network::warnIfDeadlineComesFirst);
        InboxExamples.seedIfNew(settings(), choice);
    }

    private IntakeWriter writer() {
        return once("intakeWriter", () -> new IntakeWriter(ledger));
    }

    private FileIntake.Ready readyRule() {
        try {
            return FileIntake.Ready.of(ready.trim());
        } catch (IllegalArgumentException e) {
            throw new BadConfigurationException("bridge.inbox.ready", "must be 'rename' or 'done-file'");
        }
    }
}
