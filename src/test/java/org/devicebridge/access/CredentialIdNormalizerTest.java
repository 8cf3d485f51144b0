package org.devicebridge.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialIdNormalizerTest {

    private final CredentialIdNormalizer normalizer = new CredentialIdNormalizer();

    @Test
    void padsShortLowerCaseIdToThirtyTwoUpperHex() {
        assertThat(normalizer.normalize("1a2b3c4d")).isEqualTo("1A2B3C4DFFFFFFFFFFFFFFFFFFFFFFFF");
    }

    @Test
    void trimsSurroundingWhiteSpace() {
        assertThat(normalizer.normalize("  abc\t")).isEqualTo("ABCFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    }

    @Test
    void keepsFullLengthUpperCaseIdUnchanged() {
        String id = "0123456789ABCDEF0123456789ABCDEF";
        assertThat(normalizer.normalize(id)).isEqualTo(id);
    }

    @Test
    void rejectsCredentialIdLongerThan32Hex() {
        String id = "0123456789abcdef0123456789abcdef0";
        assertThatThrownBy(() -> normalizer.normalize(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + id + "\"")
                .hasMessageContaining("longer than 32");
    }

    @Test
    void rejectsNonHexCredentialId() {
        assertThatThrownBy(() -> normalizer.normalize("12g4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"12g4\"")
                .hasMessageContaining("not hexadecimal");
    }

    @Test
    void rejectsInnerWhiteSpaceAsNonHex() {
        assertThatThrownBy(() -> normalizer.normalize("12 34"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not hexadecimal");
    }

    @Test
    void rejectsNullId() {
        assertThatThrownBy(() -> normalizer.normalize(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null or blank");
    }

    @Test
    void rejectsBlankId() {
        assertThatThrownBy(() -> normalizer.normalize("   "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null or blank");
    }

    @Test
    void abbreviatesVeryLongIdInMessage() {
        String id = "a".repeat(1000);
        assertThatThrownBy(() -> normalizer.normalize(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a".repeat(64) + "...")
                .hasMessageNotContaining("a".repeat(65));
    }
}
