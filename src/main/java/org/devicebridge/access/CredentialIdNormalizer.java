package org.devicebridge.access;

import java.util.Locale;

/**
 * Brings an access-cloud credential id into the form the cloud requires (docs/cloud-contracts.md section 2,
 * "Credential id rules"): upper-case hexadecimal, exactly 32 characters, the unused tail filled
 * with {@code F}.
 *
 * <p>Callers may give ids short, lower-case or with surrounding white space (docs/batch-format.md,
 * {@code credentials} action): {@code " 1a2b3c4d "} becomes
 * {@code "1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF"}. Ids that cannot be brought into that form are rejected.
 * Credential ids are not secret, so error messages quote them (abbreviated if very long).
 *
 * <p>Stateless and thread-safe; create it with {@code new} or register it as a bean.
 */
public class CredentialIdNormalizer {

    /** Length of a credential id on the wire. */
    private final int idLength = 32;

    /** Longest id quoted whole in an error message; longer ones are abbreviated. */
    private final int maxQuotedLength = 64;

    /**
     * Normalises one credential id.
     *
     * @param rawId the id as the caller gave it
     * @return the id trimmed, upper-cased and padded with {@code F} to exactly 32 characters
     * @throws IllegalArgumentException if the id is null or blank, contains a character that is not
     *     a hexadecimal digit, or is longer than 32 characters after trimming
     */
    public String normalize(String rawId) {
        if (rawId == null || rawId.isBlank()) {
            throw new IllegalArgumentException("credential id must not be null or blank");
        }
        String id = rawId.trim();
        for (int i = 0; i < id.length(); i++) {
            if (!isHexDigit(id.charAt(i))) {
                throw new IllegalArgumentException(
                        "credential id " + quote(id) + " is not hexadecimal (character "
                                + (i + 1) + ")");
            }
        }
        if (id.length() > idLength) {
            throw new IllegalArgumentException(
                    "credential id " + quote(id) + " is longer than " + idLength + " characters ("
                            + id.length() + ")");
        }
        return id.toUpperCase(Locale.ROOT) + "F".repeat(idLength - id.length());
    }

    private boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private String quote(String id) {
        String shown = id.length() > maxQuotedLength ? id.substring(0, maxQuotedLength) + "..." : id;
        return '"' + shown + '"';
    }
}
