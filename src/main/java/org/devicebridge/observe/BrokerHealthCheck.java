package org.devicebridge.observe;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import org.apache.camel.health.HealthCheckResultBuilder;


/**
 * Readiness of the message broker behind the bridge's queues: a connection can be had. The
 * factory is the bridge's caching one, so while the shared connection stands this costs nothing;
 * after the broker dropped it, this is the reconnection attempt.
 */
public class BrokerHealthCheck extends RefreshedHealthCheck {

    private final ConnectionFactory connections;
    private final String broker;

    /** @param broker how the broker is named in the check's details (its URL without secrets) */
    public BrokerHealthCheck(ConnectionFactory connections, String broker) {
        super("bridge", "broker");
        this.connections = connections;
        this.broker = broker;
    }

    @Override
    protected void probe(HealthCheckResultBuilder builder) {
        builder.detail("broker", broker);
        try (Connection connection = connections.createConnection()) {
            connection.getMetaData();
            builder.up();
        } catch (JMSException | RuntimeException e) {
            builder.down().message("the message broker is unreachable: " + e.getClass().getSimpleName());
        }
    }
}
