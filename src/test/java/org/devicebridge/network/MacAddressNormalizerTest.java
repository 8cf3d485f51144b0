package org.devicebridge.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressNormalizerTest {

    private final MacAddressNormalizer normalizer = new MacAddressNormalizer();

    @Test
    void lowerCasesColonSeparatedAddress() {
        assertThat(normalizer.normalize("AA:BB:CC:DD:EE:FF")).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void replacesDashesWithColons() {
        assertThat(normalizer.normalize("AA-BB-CC-DD-EE-01")).isEqualTo("aa:bb:cc:dd:ee:01");
    }

    @Test
    void acceptsCiscoStyleDottedGroupsOfFour() {
        assertThat(normalizer.normalize("aabb.ccdd.eeff")).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void acceptsDotSeparatedPairs() {
        assertThat(normalizer.normalize("aa.bb.cc.dd.ee.ff")).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void acceptsTwelveDigitsWithoutSeparators() {
        assertThat(normalizer.normalize("AABBCCDDEEFF")).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void acceptsMixedCase() {
        assertThat(normalizer.normalize("aA:Bb:cC:Dd:eE:0f")).isEqualTo("aa:bb:cc:dd:ee:0f");
    }

    @Test
    void trimsSurroundingWhiteSpace() {
        assertThat(normalizer.normalize("  aa-bb-cc-dd-ee-ff\t")).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void keepsNormalisedAddressUnchanged() {
        assertThat(normalizer.normalize("01:23:45:67:89:ab")).isEqualTo("01:23:45:67:89:ab");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "aa:bb-cc:dd:ee:ff",     // mixed separators
            "aa:bb:cc:dd:ee",        // five pairs
            "aa:bb:cc:dd:ee:ff:00",  // seven pairs
            "a:b:c:d:e:f",           // short groups
            "aab.bccd.deeff",        // uneven groups
            "aabbccddeef",           // eleven digits
            "aabbccddeeff0",         // thirteen digits
            "gg:bb:cc:dd:ee:ff",     // not hexadecimal
            "aa bb cc dd ee ff",     // unsupported separator
            "aa_bb_cc_dd_ee_ff",     // unsupported separator
            "aa::bb:cc:dd:ee",       // empty group
            ":aa:bb:cc:dd:ee"        // leading separator
    })
    void rejectsMalformedAddress(String mac) {
        assertThatThrownBy(() -> normalizer.normalize(mac))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed MAC address");
    }

    @Test
    void quotesTheOffendingValueInTheMessage() {
        assertThatThrownBy(() -> normalizer.normalize("zz:bb:cc:dd:ee:ff"))
                .hasMessageContaining("\"zz:bb:cc:dd:ee:ff\"");
    }

    @Test
    void abbreviatesVeryLongValueInTheMessage() {
        String mac = "a".repeat(100);
        assertThatThrownBy(() -> normalizer.normalize(mac))
                .hasMessageContaining("\"" + "a".repeat(64) + "...\"")
                .message().doesNotContain("a".repeat(65));
    }

    @Test
    void rejectsBlankAddress() {
        assertThatThrownBy(() -> normalizer.normalize("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> normalizer.normalize(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
