package org.devicebridge.results;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The view's times read exactly as {@link Instant#toString()} writes them, whatever their fraction. */
class CommandViewTextTest {

    @Test
    void writesEveryTimeAsInstantToStringDoes() {
        List<Instant> times = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-12-03T15:13:33Z"),
                Instant.parse("2026-12-03T15:13:33.100Z"), Instant.parse("2026-12-03T15:13:33.000100Z"),
                Instant.parse("2026-12-03T15:13:33.000000001Z"), Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.5Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z")));
        Random random = new Random(13);
        for (int i = 0; i < 10_000; i++) {
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            times.add(Instant.ofEpochSecond(random.nextLong(0, 253_402_300_800L), nano));
        }

        for (Instant t : times) {
            assertThat(CommandView.text(t)).as(t.toString()).isEqualTo(t.toString());
        }
        assertThat(CommandView.text(null)).isNull();
    }
}
