package org.devicebridge;

import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A concern's configuration class run without what an earlier one binds: start-up fails naming the bean. */
class ConcernConfigurationTest {

    @Test
    void theFanoutsConfigurationNamesTheLedgerBeanItMisses() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            assertThatThrownBy(() -> new FanoutConfiguration().configure(context))
                    .isInstanceOf(NoSuchBeanException.class)
                    .hasMessageContaining("ledgerDataSource");
        }
    }
}
