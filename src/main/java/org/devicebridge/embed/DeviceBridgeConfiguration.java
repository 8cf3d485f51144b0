package org.devicebridge.embed;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.util.Properties;
import java.util.Set;

/**
 * The bridge in a Camel Main application, without a line of Java: name this class in the
 * application's properties and instantiate the templates in its YAML routes.
 * <pre>
 *   camel.main.configuration-classes = org.devicebridge.embed.DeviceBridgeConfiguration
 *   camel.beans.ledgerDb = #class:com.zaxxer.hikari.HikariDataSource
 *   camel.beans.ledgerDb.jdbcUrl = jdbc:postgresql://db:5432/esb?currentSchema=device_bridge
 *   bridge.embed.datasource = ledgerDb          # optional when the registry holds one DataSource only
 *   bridge.access.base-url = https://access.example.com
 * </pre>
 * It does what {@link DeviceBridge#install} does, on the application's DataSource bean.
 */
public class DeviceBridgeConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        DeviceBridge.install(context, dataSource(context), new Properties());
    }

    private static DataSource dataSource(CamelContext context) {
        String name = context.getPropertiesComponent().resolveProperty("bridge.embed.datasource").map(String::trim)
                .filter(n -> !n.isEmpty()).orElse(null);
        if (name != null) {
            DataSource named = context.getRegistry().lookupByNameAndType(name, DataSource.class);
            if (named == null) {
                throw new IllegalStateException("bridge.embed.datasource: no DataSource bean named '" + name + "' in the registry");
            }
            return named;
        }
        Set<DataSource> all = context.getRegistry().findByType(DataSource.class);
        if (all.size() != 1) {
            throw new IllegalStateException("bridge.embed.datasource: name the DataSource bean for the bridge's ledger (the registry holds "
                    + all.size() + ")");
        }
        return all.iterator().next();
    }
}
