package org.devicebridge.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import org.devicebridge.ledger.CallLog;
import org.devicebridge.ledger.CommandStore;
import org.devicebridge.ledger.Ledger;
import org.devicebridge.ledger.LedgerDatabase;
import org.devicebridge.ledger.LedgerReads;
import org.devicebridge.ledger.LedgerRows;
import org.devicebridge.results.CommandView;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events of a round read together ({@link OutboundEvents#ofAll}, three queries) are the events
 * read one at a time ({@link OutboundEvents#of}, three queries each); one whose command is gone is
 * left out by both.
 */
class OutboundEventsTest {

    @Test
    void aRoundReadTogetherGivesTheSameEventsAsOneAtATime() {
        try (HikariDataSource dataSource = LedgerDatabase.open("jdbc:h2:mem:events_" + UUID.randomUUID(), "sa", "", null, 2)) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            LedgerRows.request(jdbc, "r1", true);
            LedgerRows.commands(jdbc, "r1", "Command Success", "DONE", "c1", "c2");
            List<Long> transitions = new ArrayList<>();
            for (String state : List.of("Command Queued", "Command Initiated", "Command Success")) {
                for (String c : List.of("c2", "c1")) {
                    jdbc.update("INSERT INTO bridge_transition (command_no, at, to_state, vendor_status) VALUES (" + Ledger.COMMAND_NO
                            + ", CURRENT_TIMESTAMP, ?, 'PENDING')",
                            c, state);
                    transitions.add(jdbc.queryForObject("SELECT MAX(id) FROM bridge_transition", Long.class));
                    jdbc.update("INSERT INTO bridge_call (command_no, at, operation, http_status, vendor_request_id) "
                            + "VALUES (" + Ledger.COMMAND_NO + ", CURRENT_TIMESTAMP, 'poll-action', 200, ?)", c, "req-" + c + "-" + state.length());
                }
            }
            jdbc.update("INSERT INTO bridge_finished_request (request_id, last_transition_id, found_at) VALUES ('r1', ?, CURRENT_TIMESTAMP)",
                    transitions.get(transitions.size() - 1));
            long finishedId = jdbc.queryForObject("SELECT id FROM bridge_finished_request", Long.class);

            Ledger ledger = new Ledger(dataSource, Clock.systemUTC());
            ObjectMapper mapper = new ObjectMapper();
            CommandView view = new CommandView(new CallLog(ledger), new LedgerReads(ledger), mapper, java.util.Set.of());
            OutboundEvents events = new OutboundEvents(new CommandStore(ledger), new LedgerReads(ledger), view, mapper);
            SubscriberLedger webhooks = new SubscriberLedger(dataSource);

            List<Delivery> round = new ArrayList<>();
            transitions.forEach(id -> round.add(new Delivery("stream:test", "lease", 0, 0, id, 0, null)));
            round.add(new Delivery("stream:test", "lease", 0, 0, 0, finishedId, "r1"));
            round.add(new Delivery("stream:test", "lease", 0, 0, 999_999, 0, null)); // a transition the ledger does not hold

            Map<String, ObjectNode> together = events.ofAll(round, webhooks);

            assertThat(together).hasSize(transitions.size() + 1).doesNotContainKey("transition-999999");
            for (Delivery d : round) {
                assertThat(together.get(d.eventId())).as(d.eventId()).isEqualTo(events.of(d, webhooks).orElse(null));
            }
            ObjectNode first = together.get("transition-" + transitions.get(1));
            assertThat(first.path("data").path("command_id").asText()).isEqualTo("c1");
            assertThat(first.path("data").path("state").asText()).isEqualTo("Command Queued");
            assertThat(first.path("data").path("vendor_request_ids")).hasSize(3);
            // the state each moved from is the one its command's transition before moved to (none for the first)
            assertThat(transitions.stream().map(id -> together.get("transition-" + id).path("data"))
                    .filter(data -> data.path("command_id").asText().equals("c1"))
                    .map(data -> data.path("previous_state").isNull() ? "none" : data.path("previous_state").asText()))
                    .containsExactly("none", "Command Queued", "Command Initiated");
            assertThat(together.get("summary-r1").path("event_type").asText()).isEqualTo("REQUEST_SUMMARY");
        }
    }
}
