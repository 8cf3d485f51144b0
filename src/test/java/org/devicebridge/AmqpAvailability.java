package org.devicebridge;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * The AMQP 1.0 broker that tests run against: the local RabbitMQ at {@code amqp://127.0.0.1:5672}
 * as {@code guest} / {@code guest} (its AMQP 1.0 plugin enabled:
 * {@code rabbitmq-plugins enable rabbitmq_amqp1_0}, which {@code .ci/run} does), or
 * {@code BRIDGE_TEST_AMQP_URL} / {@code BRIDGE_TEST_AMQP_USER} / {@code BRIDGE_TEST_AMQP_PASSWORD}.
 * <p>
 * A test that needs it calls {@link #assumeAvailable()} first: it is skipped, with the reason, when
 * the broker is not reachable over AMQP 1.0, and fails instead when {@code CI=true}.
 */
public final class AmqpAvailability {

    private static String unreachable; // null: not checked yet; "": reachable; else why not

    private AmqpAvailability() {
    }

    public static String url() {
        return LocalServices.env("BRIDGE_TEST_AMQP_URL", "amqp://127.0.0.1:5672");
    }

    public static String user() {
        return LocalServices.env("BRIDGE_TEST_AMQP_USER", "guest");
    }

    public static String password() {
        return LocalServices.env("BRIDGE_TEST_AMQP_PASSWORD", "guest");
    }

    /** Skips the calling test when the broker is not reachable over AMQP 1.0; fails it instead when {@code CI=true}. */
    public static synchronized void assumeAvailable() {
        if (unreachable == null) {
            unreachable = probe();
        }
        LocalServices.skipOrFailUnlessReachable("AMQP 1.0 broker at " + url() + " (RabbitMQ: rabbitmq-plugins enable rabbitmq_amqp1_0)",
                unreachable);
    }

    private static String probe() {
        String probeUrl = url() + (url().contains("?") ? "&" : "?") + "transport.connectTimeout=3000&jms.connectTimeout=3000";
        try (Connection c = new JmsConnectionFactory(user(), password(), probeUrl).createConnection()) {
            c.start();
            return "";
        } catch (JMSException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
