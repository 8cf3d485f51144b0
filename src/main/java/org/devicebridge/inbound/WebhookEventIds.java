package org.devicebridge.inbound;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.dao.DuplicateKeyException;

import javax.sql.DataSource;

/**
 * The event ids the webhook receiver has applied: Camel's JDBC idempotent repository over the
 * ledger's database, made safe for the same event delivered twice at the same moment (clouds
 * deliver at least once). Camel's {@code add} looks the key up, then inserts it; of two
 * concurrent deliveries both can find nothing, and the second insert then violates the key. That
 * second delivery is a duplicate like any other, not an error to answer with a 500.
 */
public class WebhookEventIds extends JdbcMessageIdRepository {

    /** The processor name of the access cloud's webhook events (kept as long as the ledger keeps requests). */
    public static final String ACCESS_CLOUD = "access-webhook-events";

    public WebhookEventIds(DataSource dataSource, String processorName) {
        super(dataSource, processorName);
        setCreateTableIfNotExists(false); // the ledger's migration creates it
    }

    @Override
    public boolean add(String key) {
        try {
            return super.add(key);
        } catch (DuplicateKeyException e) {
            return false; // a concurrent delivery of the same event stored it first
        }
    }
}
