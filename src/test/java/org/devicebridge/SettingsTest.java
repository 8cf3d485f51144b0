package org.devicebridge;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed settings: what each form of value reads as, and that a bad value is an error naming its key. */
class SettingsTest {

    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Settings with(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        context.getPropertiesComponent().setOverrideProperties(p);
        return new Settings(context);
    }

    @Test
    void readsDurationsInIsoAndShortForms() {
        assertThat(with("d", "PT15M").duration("d", null)).isEqualTo(Duration.ofMinutes(15));
        assertThat(with("d", "500ms").duration("d", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(with("d", "2s").duration("d", null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(with("d", "1h30m").duration("d", null)).isEqualTo(Duration.ofMinutes(90));
        assertThat(with("d", "250").duration("d", null)).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void refusesADurationItCannotReadInsteadOfTakingItAsZero() {
        for (String bad : new String[] {"garbage", "5x", "soon", "1.5s", "-1s", "PT-5S"}) {
            assertThatThrownBy(() -> with("bridge.action.deadline", bad).duration("bridge.action.deadline", null))
                    .isInstanceOf(BadConfigurationException.class).hasMessageContaining("bridge.action.deadline");
        }
    }

    @Test
    void refusesAWholeNumberOutsideItsRange() {
        assertThatThrownBy(() -> with("bridge.network.chunk-size", "500").integer("bridge.network.chunk-size", 100, 1, 100))
                .isInstanceOf(BadConfigurationException.class)
                .hasMessageContaining("bridge.network.chunk-size").hasMessageContaining("from 1 to 100, not 500");
        assertThatThrownBy(() -> with("bridge.network.rate-limit", "0").integer("bridge.network.rate-limit", 10, 1, Integer.MAX_VALUE))
                .isInstanceOf(BadConfigurationException.class).hasMessageContaining("at least 1, not 0");
        assertThat(with("bridge.network.chunk-size", "100").integer("bridge.network.chunk-size", 1, 1, 100)).isEqualTo(100);
    }
}
