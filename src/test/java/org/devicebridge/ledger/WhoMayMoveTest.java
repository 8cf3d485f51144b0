package org.devicebridge.ledger;

import org.devicebridge.ledger.LedgerTransitions.Requester;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table of who may move what from where ({@link LedgerTransitions#refusal}), over every
 * combination: it never allows what the state machine's own rules forbid, and a device never moves
 * a command it was not given. The HTTP behaviour is in CommandInboxTest and StatusApiTest.
 */
class WhoMayMoveTest {

    private static final List<Boolean> BOTH = List.of(true, false);

    @Test
    void allowsNoMoveTheStateMachineForbids() {
        for (Requester who : Requester.values()) {
            for (boolean pulled : BOTH) {
                for (boolean force : BOTH) {
                    for (CommandState from : CommandState.values()) {
                        for (CommandState to : CommandState.values()) {
                            if (LedgerTransitions.refusal(who, pulled, from, to, force).isEmpty()) {
                                assertThat(LedgerTransitions.isLegal(from, to)).as("%s %s -> %s", who, from, to).isTrue();
                                assertThat(from.isFinal()).isFalse();
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void neverLetsADeviceMoveACommandItWasNotGiven() {
        for (CommandState from : List.of(CommandState.QUEUED, CommandState.SCHEDULED)) {
            for (CommandState to : CommandState.values()) {
                for (boolean pulled : BOTH) {
                    assertThat(LedgerTransitions.refusal(Requester.DEVICE, pulled, from, to, true)).as("%s -> %s", from, to).isPresent();
                }
            }
        }
    }

    @Test
    void letsTheOperatorEndAPulledCommandFromEveryStateThatIsNotFinal() {
        for (CommandState from : CommandState.values()) {
            for (CommandState end : LedgerTransitions.OPERATOR_ENDS) {
                assertThat(LedgerTransitions.refusal(Requester.OPERATOR, true, from, end, false).isEmpty())
                        .as("%s -> %s", from, end).isEqualTo(!from.isFinal());
            }
        }
    }
}
