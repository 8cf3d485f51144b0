package org.devicebridge.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.devicebridge.intake.ActionPlanner.PlannedCommand;
import org.devicebridge.network.BulkActionPlanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV batches, read from real files through {@link BatchReader}. */
class CsvBatchTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final BatchReader reader = new BatchReader(mapper);

    @TempDir
    Path dir;

    // --- rows to actions -----------------------------------------------------------------------

    @Test
    void readsBulkRowWithIdsAndKeyValueParams() throws IOException {
        List<BatchRecord> records = read("kind,id,device,type,ids,macs,params\n"
                + "bulk,,,exempt,HW-1;HW-2,,exempt_time=24\n");

        assertThat(records).singleElement().extracting(BatchRecord::action)
                .isEqualTo(json("{'kind':'bulk','type':'exempt','ids':['HW-1','HW-2'],'params':{'exempt_time':24}}"));
    }

    @Test
    void readsMacsColumnAsArray() throws IOException {
        assertThat(action("kind,type,macs\nbulk,renew_ip,AA-BB-CC-DD-EE-01;aabb.ccdd.ee02\n"))
                .isEqualTo(json("{'kind':'bulk','type':'renew_ip','macs':['AA-BB-CC-DD-EE-01','aabb.ccdd.ee02']}"));
    }

    @Test
    void trimsListPartsAndDropsEmptyOnes() throws IOException {
        assertThat(action("kind,type,ids\nbulk,delete, HW-1 ;;HW-2;\n").get("ids")).isEqualTo(json("['HW-1','HW-2']"));
    }

    @Test
    void readsParamsGivenAsJsonObject() throws IOException {
        assertThat(action("kind,type,ids,params\nbulk,assign_to_group,HW-1,\"{\"\"group_id\"\":\"\"lab\"\"}\"\n").get("params"))
                .isEqualTo(json("{'group_id':'lab'}"));
    }

    @Test
    void typesKeyValueParamsAsNumbersBooleansAndStrings() throws IOException {
        assertThat(action("kind,device,command,params\ncommand,gw-3,reboot,delay=5;factor=1.5;force=true;hard=FALSE;mode=soft;code=007\n")
                .get("params"))
                .isEqualTo(json("{'delay':5,'factor':1.5,'force':true,'hard':false,'mode':'soft','code':'007'}"));
    }

    @Test
    void readsCommandRow() throws IOException {
        assertThat(action("kind,device,command,params,not_before\n"
                + "command,gateway-3,reboot,delay=5,2026-12-01T02:00:00Z\n"))
                .isEqualTo(json("{'kind':'command','device':'gateway-3','command':'reboot','params':{'delay':5},"
                        + "'not_before':'2026-12-01T02:00:00Z'}"));
    }

    @Test
    void readsCapabilityRowAsOneCapabilityAction() throws IOException {
        assertThat(action("kind,device,capability,instance,value\n"
                + "capability,lamp-1,devices.capabilities.on_off,on,true\n"))
                .isEqualTo(json("{'kind':'capability','device':'lamp-1','actions':[{'type':'devices.capabilities.on_off',"
                        + "'state':{'instance':'on','value':true}}]}"));
    }

    @Test
    void parsesNumericValueAsNumber() throws IOException {
        assertThat(stateValue("range,brightness,42")).isEqualTo(json("42"));
    }

    @Test
    void parsesQuotedJsonStringValueAsThatString() throws IOException {
        assertThat(stateValue("mode,thermostat,\"\"\"42\"\"\"")).isEqualTo(mapper.getNodeFactory().textNode("42"));
    }

    @Test
    void parsesJsonObjectValue() throws IOException {
        assertThat(stateValue("color_setting,hsv,\"{\"\"h\"\":10,\"\"s\"\":20,\"\"v\"\":30}\""))
                .isEqualTo(json("{'h':10,'s':20,'v':30}"));
    }

    @Test
    void keepsValueThatIsNotJsonAsString() throws IOException {
        assertThat(stateValue("mode,thermostat,heat")).isEqualTo(mapper.getNodeFactory().textNode("heat"));
    }

    @Test
    void readsSpreadsheetUpperCaseBooleanValueAsBoolean() throws IOException {
        assertThat(stateValue("toggle,mute,TRUE")).isEqualTo(json("true"));
    }

    @Test
    void keepsCallerIdAndDeadline() throws IOException {
        JsonNode action = action("kind,id,deadline,type,ids\nbulk,a-17,PT15M,delete,HW-1\n");

        assertThat(action.get("id").asText()).isEqualTo("a-17");
        assertThat(action.get("deadline").asText()).isEqualTo("PT15M");
    }

    @Test
    void leavesEmptyCellsOut() throws IOException {
        assertThat(action("kind,id,device,type,ids,macs,params,deadline\nbulk,,, delete ,HW-1,,,\n"))
                .isEqualTo(json("{'kind':'bulk','type':'delete','ids':['HW-1']}"));
    }

    @Test
    void acceptsColumnsInAnyOrder() throws IOException {
        assertThat(action("params,ids,type,kind\nexempt_time=1,HW-1,exempt,bulk\n"))
                .isEqualTo(json("{'kind':'bulk','type':'exempt','ids':['HW-1'],'params':{'exempt_time':1}}"));
    }

    @Test
    void matchesHeaderNamesIgnoringCaseAndSpaces() throws IOException {
        assertThat(action(" Kind , TYPE ,ids\nbulk,delete,HW-1\n"))
                .isEqualTo(json("{'kind':'bulk','type':'delete','ids':['HW-1']}"));
    }

    @Test
    void keepsQuotedCommaInsideACell() throws IOException {
        assertThat(action("kind,device,command\ncommand,\"gw,3\",reboot\n").get("device").asText()).isEqualTo("gw,3");
    }

    @Test
    void skipsByteOrderMarkBeforeTheHeader() throws IOException {
        assertThat(action("\uFEFFkind,type,ids\nbulk,delete,HW-1\n").get("kind").asText()).isEqualTo("bulk");
    }

    @Test
    void rowIsPlannedByTheBulkPlannerLikeTheJsonForm() throws IOException {
        JsonNode action = action("kind,type,macs,params\nbulk,exempt,AA-BB-CC-DD-EE-01,exempt_time=0\n");

        assertThat(new BulkActionPlanner().plan(action)).containsExactly(new PlannedCommand("aa:bb:cc:dd:ee:01",
                "{\"type\":\"exempt\",\"id_kind\":\"macs\",\"params\":{\"exempt_time\":0}}", "SEND"));
    }

    // --- refs, raw, order ----------------------------------------------------------------------

    @Test
    void refIsTheFileLineNumberCountingTheHeaderAsLineOne() throws IOException {
        List<BatchRecord> records = read("kind,type,ids\nbulk,delete,HW-1\n\nbulk,delete,HW-2\n");

        assertThat(records).extracting(BatchRecord::ref).containsExactly("line 2", "line 4");
    }

    @Test
    void numbersRecordsInOrderFromZeroCountingErrors() throws IOException {
        List<BatchRecord> records = read("kind,type,ids\nbulk,delete,HW-1\nbulk,delete\nbulk,delete,HW-2\n");

        assertThat(records).extracting(BatchRecord::seq).containsExactly(0, 1, 2);
    }

    @Test
    void rawIsTheRowText() throws IOException {
        assertThat(read("kind,type,ids\r\nbulk,delete,\"HW-1;HW-2\"\r\n")).singleElement().extracting(BatchRecord::raw)
                .isEqualTo("bulk,delete,\"HW-1;HW-2\"");
    }

    @Test
    void skipsRowsWhoseCellsAreAllEmpty() throws IOException {
        assertThat(read("kind,type,ids\nbulk,delete,HW-1\n,,\n  \n")).hasSize(1);
    }

    @Test
    void readsTheLastRowWithoutTrailingNewline() throws IOException {
        assertThat(read("kind,type,ids\nbulk,delete,HW-1")).hasSize(1);
    }

    @Test
    void readsAFileWithOnlyAHeaderAsEmpty() throws IOException {
        assertThat(read("kind,type,ids\n")).isEmpty();
    }

    // --- unreadable rows -----------------------------------------------------------------------

    @Test
    void rowWithTooFewCellsIsAnErrorAndReadingGoesOn() throws IOException {
        List<BatchRecord> records = read("kind,type,ids\nbulk,delete\nbulk,delete,HW-2\n");

        assertThat(records.get(0).readable()).isFalse();
        assertThat(records.get(0).ref()).isEqualTo("line 2");
        assertThat(records.get(0).raw()).isEqualTo("bulk,delete");
        assertThat(records.get(0).error()).isEqualTo("wrong number of cells: 2, the header has 3");
        assertThat(records.get(1).action()).isEqualTo(json("{'kind':'bulk','type':'delete','ids':['HW-2']}"));
    }

    @Test
    void rowWithTooManyCellsIsAnError() throws IOException {
        assertThat(read("kind,type,ids\nbulk,delete,HW-1,HW-2\n")).singleElement().extracting(BatchRecord::error)
                .isEqualTo("wrong number of cells: 4, the header has 3");
    }

    @Test
    void paramsPairWithoutEqualsSignIsAnError() throws IOException {
        assertThat(read("kind,type,ids,params\nbulk,exempt,HW-1,exempt_time\n")).singleElement().extracting(BatchRecord::error)
                .asString().startsWith("params: 'exempt_time' is not key=value");
    }

    @Test
    void paramsKeyGivenTwiceIsAnError() throws IOException {
        assertThat(read("kind,type,ids,params\nbulk,exempt,HW-1,exempt_time=1;exempt_time=2\n")).singleElement()
                .extracting(BatchRecord::error).isEqualTo("params: key 'exempt_time' appears twice");
    }

    @Test
    void malformedJsonParamsIsAnError() throws IOException {
        assertThat(read("kind,type,ids,params\nbulk,exempt,HW-1,{exempt_time:1}\n")).singleElement()
                .extracting(BatchRecord::error).asString().startsWith("params: malformed JSON object");
    }

    @Test
    void unterminatedQuoteSpoilsOnlyItsOwnLine() throws IOException {
        List<BatchRecord> records = read("kind,type,ids\nbulk,delete,\"HW-1\nbulk,delete,HW-2\n");

        assertThat(records.get(0).error()).startsWith("malformed CSV");
        assertThat(records.get(1).action().get("ids")).isEqualTo(json("['HW-2']"));
    }

    @Test
    void rowWithoutKindIsReadAndLeftToTheIntake() throws IOException {
        assertThat(action("kind,type,ids\n,delete,HW-1\n")).isEqualTo(json("{'type':'delete','ids':['HW-1']}"));
    }

    // --- header --------------------------------------------------------------------------------

    @Test
    void unknownHeaderColumnIsOneErrorRecordAndTheEnd() throws IOException {
        List<BatchRecord> records = read("kind,type,hwids\nbulk,delete,HW-1\nbulk,delete,HW-2\n");

        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.ref()).isEqualTo("line 1");
            assertThat(r.raw()).isEqualTo("kind,type,hwids");
            assertThat(r.error()).startsWith("header: unknown column 'hwids' (known columns: kind, id, device");
        });
    }

    @Test
    void headerWithoutKindIsAnError() throws IOException {
        assertThat(read("type,ids\ndelete,HW-1\n")).singleElement().extracting(BatchRecord::error).asString()
                .startsWith("header: no kind column");
    }

    @Test
    void headerColumnGivenTwiceIsAnError() throws IOException {
        assertThat(read("kind,ids,IDS\nbulk,HW-1,HW-2\n")).singleElement().extracting(BatchRecord::error)
                .isEqualTo("header: column 'ids' appears twice");
    }

    @Test
    void headerColumnWithoutNameIsAnError() throws IOException {
        assertThat(read("kind,,ids\nbulk,x,HW-1\n")).singleElement().extracting(BatchRecord::error).asString()
                .startsWith("header: column 2 has no name");
    }

    @Test
    void emptyFileIsAMissingHeaderError() throws IOException {
        assertThat(read("\n\n")).singleElement().extracting(BatchRecord::error).asString().startsWith("header: missing");
    }

    @Test
    void headerIsTheFirstNonBlankLine() throws IOException {
        assertThat(read("\nkind,type,ids\nbulk,delete,HW-1\n")).singleElement().extracting(BatchRecord::ref)
                .isEqualTo("line 3");
    }

    // --- request id and dispatch ---------------------------------------------------------------

    @Test
    void derivesRequestIdFromNameAndChecksum() throws IOException {
        Path file = write("nightly.csv", "kind,type,ids\nbulk,delete,HW-1\n");

        try (BatchSource source = reader.open(file)) {
            assertThat(source.requestIdGiven()).isFalse();
            assertThat(source.requestId()).matches("file:nightly\\.csv:[0-9a-f]{16}");
        }
    }

    @Test
    void sameNameAndContentGiveTheSameRequestId() throws IOException {
        String text = "kind,type,ids\nbulk,delete,HW-1\n";

        assertThat(requestId(write("a/b.csv", text))).isEqualTo(requestId(write("c/b.csv", text)));
    }

    @Test
    void changedContentGivesAnotherRequestId() throws IOException {
        assertThat(requestId(write("a/b.csv", "kind,type,ids\nbulk,delete,HW-1\n")))
                .isNotEqualTo(requestId(write("c/b.csv", "kind,type,ids\nbulk,delete,HW-2\n")));
    }

    @Test
    void readsUpperCaseCsvExtensionAsCsv() throws IOException {
        try (BatchSource source = reader.open(write("BATCH.CSV", "kind,type,ids\nbulk,delete,HW-1\n"))) {
            assertThat(source.next().action().get("kind").asText()).isEqualTo("bulk");
        }
    }

    @Test
    void streamsALargeFileRowByRow() throws IOException {
        Path file = dir.resolve("large.csv");
        int rows = 200_000;
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("kind,type,ids\n");
            for (int i = 0; i < rows; i++) {
                w.write("bulk,delete,HW-" + i + "\n");
            }
        }
        int count = 0;
        String last = null;
        try (BatchSource source = reader.open(file)) {
            while (source.hasNext()) {
                last = source.next().action().at("/ids/0").asText();
                count++;
            }
        }
        assertThat(count).isEqualTo(rows);
        assertThat(last).isEqualTo("HW-" + (rows - 1));
    }

    // -------------------------------------------------------------------------------------------

    private String requestId(Path file) throws IOException {
        try (BatchSource source = reader.open(file)) {
            return source.requestId();
        }
    }

    /** The state value of a capability row given as {@code <short type>,<instance>,<value cell>}. */
    private JsonNode stateValue(String row) throws IOException {
        String[] cells = row.split(",", 3);
        return action("kind,device,capability,instance,value\ncapability,d-1,devices.capabilities." + cells[0] + ","
                + cells[1] + "," + cells[2] + "\n").at("/actions/0/state/value");
    }

    private JsonNode action(String csv) throws IOException {
        List<BatchRecord> records = read(csv);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).error()).isNull();
        return records.get(0).action();
    }

    private List<BatchRecord> read(String csv) throws IOException {
        List<BatchRecord> records = new ArrayList<>();
        try (BatchSource source = reader.open(write("batch.csv", csv))) {
            source.forEachRemaining(records::add);
        }
        return records;
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Parses JSON written with single quotes for readability. */
    private JsonNode json(String singleQuoted) {
        try {
            return mapper.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
