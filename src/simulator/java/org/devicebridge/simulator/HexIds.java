package org.devicebridge.simulator;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random lower-case hexadecimal identifiers (request ids, action ids, tokens).
 *
 * <p>Identifiers come from a {@link SecureRandom} on purpose, not from a simulator's seed:
 * two simulator instances with the same seed must still never hand out the same ids, since a
 * client may keep a ledger across simulator restarts.
 */
public final class HexIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private HexIds() {
    }

    /**
     * A fresh random identifier.
     *
     * @param hexChars the number of hexadecimal characters, even and positive
     * @return lower-case hexadecimal string of exactly {@code hexChars} characters
     */
    public static String random(int hexChars) {
        if (hexChars <= 0 || hexChars % 2 != 0) {
            throw new IllegalArgumentException("hexChars must be even and positive: " + hexChars);
        }
        byte[] bytes = new byte[hexChars / 2];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
