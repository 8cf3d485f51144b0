package org.devicebridge.network;

import java.util.Locale;

/**
 * Brings a MAC address into the form the network cloud expects (docs/cloud-contracts.md section 3):
 * lower-case hexadecimal pairs separated by colons, {@code aa:bb:cc:dd:ee:ff}.
 *
 * <p>Accepted input, in any case and with surrounding white space:
 * <ul>
 *   <li>six pairs separated by {@code :}, {@code -} or {@code .}: {@code AA:BB:CC:DD:EE:FF},
 *       {@code aa-bb-cc-dd-ee-ff};</li>
 *   <li>three groups of four separated by {@code .}, {@code -} or {@code :} (Cisco style):
 *       {@code aabb.ccdd.eeff};</li>
 *   <li>twelve hexadecimal digits without separators: {@code AABBCCDDEEFF}.</li>
 * </ul>
 * One address uses one separator throughout ({@code aa:bb-cc:dd:ee:ff} is rejected), and every
 * group has its full width ({@code a:b:c:d:e:f} is rejected). MAC addresses are not secret, so
 * error messages quote the offending value (abbreviated if very long).
 *
 * <p>Stateless and thread-safe; create it with {@code new} or register it as a bean.
 */
public class MacAddressNormalizer {

    /** Hexadecimal digits in a MAC-48 address. */
    private final int digits = 12;

    /** Longest value quoted whole in an error message; longer ones are abbreviated. */
    private final int maxQuotedLength = 64;

    /**
     * Normalises one MAC address.
     *
     * @param raw the address as the caller gave it
     * @return the address as {@code aa:bb:cc:dd:ee:ff}
     * @throws IllegalArgumentException if the value is null, blank or not a MAC address in one of the
     *     accepted forms; the message quotes the value
     */
    public String normalize(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("MAC address must not be null or blank");
        }
        String mac = raw.trim();
        String hex = digitsOf(mac);
        if (hex == null) {
            throw new IllegalArgumentException("malformed MAC address " + quote(mac)
                    + ", expected 12 hexadecimal digits such as aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff");
        }
        StringBuilder result = new StringBuilder(17);
        for (int i = 0; i < digits; i += 2) {
            if (i > 0) {
                result.append(':');
            }
            result.append(hex, i, i + 2);
        }
        return result.toString().toLowerCase(Locale.ROOT);
    }

    /** The twelve digits of an address in an accepted form, or null. */
    private String digitsOf(String mac) {
        int separatorAt = -1;
        for (int i = 0; i < mac.length() && separatorAt < 0; i++) {
            if (!isHexDigit(mac.charAt(i))) {
                separatorAt = i;
            }
        }
        if (separatorAt < 0) {
            return mac.length() == digits ? mac : null;
        }
        char separator = mac.charAt(separatorAt);
        if (separator != ':' && separator != '-' && separator != '.') {
            return null;
        }
        String[] groups = mac.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1);
        int width = groups.length == 6 ? 2 : groups.length == 3 ? 4 : 0;
        if (width == 0) {
            return null;
        }
        StringBuilder hex = new StringBuilder(digits);
        for (String group : groups) {
            if (group.length() != width || !group.chars().allMatch(c -> isHexDigit((char) c))) {
                return null;
            }
            hex.append(group);
        }
        return hex.toString();
    }

    private boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private String quote(String value) {
        String shown = value.length() > maxQuotedLength ? value.substring(0, maxQuotedLength) + "..." : value;
        return '"' + shown + '"';
    }
}
