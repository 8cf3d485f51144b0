package org.devicebridge.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rows of a CSV batch ({@code docs/csv-batches.md}): splits one row into cells with Jackson's
 * CSV parser, checks the header and turns a row into an action object of docs/batch-format.md.
 * <p>
 * A row is a line, or several when a quoted cell holds line breaks ({@link BatchReader} joins them
 * while the row's quotes do not pair up); quoted cells may hold commas and doubled quotes
 * ({@code ""}). Cells are trimmed; an empty cell is
 * left out of the action. What the action's planner checks (required fields, values) is left to
 * it; this class only rejects what it cannot read. Stateless and thread-safe.
 */
final class CsvRowMapper {

    /** The known columns, in the order their fields appear in an action. */
    static final List<String> COLUMNS = List.of("kind", "id", "device", "type", "command", "ids", "macs", "params",
            "not_before", "deadline", "capability", "instance", "value");

    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private final ObjectMapper mapper;
    private final ObjectReader strictJson;
    private final ObjectReader cells;

    CsvRowMapper(ObjectMapper mapper) {
        this.mapper = mapper;
        this.strictJson = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.cells = new CsvMapper().readerFor(String[].class).with(CsvParser.Feature.WRAP_AS_ARRAY);
    }

    /** A row that cannot be read; the message is the reason for the error record. */
    static final class UnreadableRow extends Exception {
        UnreadableRow(String message) {
            super(message);
        }
    }

    /** The trimmed cells of one line (an empty line has none). */
    List<String> split(String line) throws UnreadableRow {
        try (MappingIterator<String[]> rows = cells.readValues(line)) {
            if (!rows.hasNextValue()) {
                return List.of();
            }
            return Arrays.stream(rows.nextValue()).map(c -> c == null ? "" : c.trim()).toList();
        } catch (JsonProcessingException e) {
            throw new UnreadableRow("malformed CSV: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UnreadableRow("malformed CSV: " + e.getMessage());
        }
    }

    /**
     * Checks a header row: every column known, none twice, {@code kind} present. Names are trimmed
     * and compared ignoring case.
     *
     * @return the column names, lower case, in the file's order
     */
    List<String> header(List<String> names) throws UnreadableRow {
        List<String> columns = new ArrayList<>(names.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new UnreadableRow("header: column " + (i + 1) + " has no name (known columns: "
                        + String.join(", ", COLUMNS) + ")");
            }
            if (!COLUMNS.contains(name)) {
                throw new UnreadableRow("header: unknown column '" + names.get(i) + "' (known columns: "
                        + String.join(", ", COLUMNS) + ")");
            }
            if (!seen.add(name)) {
                throw new UnreadableRow("header: column '" + name + "' appears twice");
            }
            columns.add(name);
        }
        if (!seen.contains("kind")) {
            throw new UnreadableRow("header: no kind column; a CSV batch needs a header row such as kind,device,type,ids,params");
        }
        return columns;
    }

    /** Are all cells of the row empty (a blank line, or a spreadsheet's trailing {@code ,,,,})? */
    static boolean blank(List<String> row) {
        return row.stream().allMatch(String::isEmpty);
    }

    /** The action of a data row. */
    ObjectNode action(List<String> columns, List<String> row) throws UnreadableRow {
        if (row.size() != columns.size()) {
            throw new UnreadableRow("wrong number of cells: " + row.size() + ", the header has " + columns.size());
        }
        String[] byColumn = new String[COLUMNS.size()];
        for (int i = 0; i < columns.size(); i++) {
            byColumn[COLUMNS.indexOf(columns.get(i))] = row.get(i).isEmpty() ? null : row.get(i);
        }
        ObjectNode action = mapper.createObjectNode();
        for (int c = 0; c < COLUMNS.size(); c++) {
            String cell = byColumn[c];
            if (cell == null) {
                continue;
            }
            switch (COLUMNS.get(c)) {
                case "ids", "macs" -> action.set(COLUMNS.get(c), list(cell));
                case "params" -> action.set("params", params(cell));
                case "capability", "instance", "value" -> { } // below
                default -> action.put(COLUMNS.get(c), cell);
            }
        }
        String capability = byColumn[COLUMNS.indexOf("capability")];
        String instance = byColumn[COLUMNS.indexOf("instance")];
        String value = byColumn[COLUMNS.indexOf("value")];
        if (capability != null || instance != null || value != null) {
            ObjectNode element = action.putArray("actions").addObject();
            if (capability != null) {
                element.put("type", capability);
            }
            ObjectNode state = element.putObject("state");
            if (instance != null) {
                state.put("instance", instance);
            }
            if (value != null) {
                state.set("value", value(value));
            }
        }
        return action;
    }

    /** {@code a;b;c}: the parts trimmed, empty ones dropped. */
    private ArrayNode list(String cell) {
        ArrayNode list = mapper.createArrayNode();
        for (String part : cell.split(";")) {
            if (!part.isBlank()) {
                list.add(part.trim());
            }
        }
        return list;
    }

    /** A JSON object, or {@code key=value;key=value} with numbers and booleans typed. */
    private ObjectNode params(String cell) throws UnreadableRow {
        if (cell.startsWith("{")) {
            try {
                JsonNode node = strictJson.readTree(cell);
                if (node instanceof ObjectNode object) {
                    return object;
                }
            } catch (JsonProcessingException e) {
                throw new UnreadableRow("params: malformed JSON object: " + e.getOriginalMessage());
            }
            throw new UnreadableRow("params: malformed JSON object");
        }
        ObjectNode params = mapper.createObjectNode();
        for (String pair : cell.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new UnreadableRow("params: '" + pair.trim() + "' is not key=value (write key=value;key=value or a JSON object)");
            }
            String key = pair.substring(0, eq).trim();
            if (key.isEmpty()) {
                throw new UnreadableRow("params: '" + pair.trim() + "' has no key");
            }
            if (params.has(key)) {
                throw new UnreadableRow("params: key '" + key + "' appears twice");
            }
            params.set(key, scalar(pair.substring(eq + 1).trim()));
        }
        return params;
    }

    /** A {@code key=value} value: a JSON number, a boolean (any case), else the text. */
    private JsonNode scalar(String text) {
        JsonNode bool = bool(text);
        if (bool != null) {
            return bool;
        }
        if (JSON_NUMBER.matcher(text).matches()) {
            try {
                return strictJson.readTree(text);
            } catch (JsonProcessingException e) {
                // not reachable for a matching number; keep the text
            }
        }
        return mapper.getNodeFactory().textNode(text);
    }

    /** The {@code value} cell: JSON when it is valid JSON, a boolean in any case, else the text. */
    private JsonNode value(String text) {
        JsonNode bool = bool(text);
        if (bool != null) {
            return bool;
        }
        try {
            JsonNode node = strictJson.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (JsonProcessingException e) {
            // not JSON: the text itself
        }
        return mapper.getNodeFactory().textNode(text);
    }

    /** {@code true}/{@code false} in any case (spreadsheets write {@code TRUE}). */
    private static JsonNode bool(String text) {
        if (text.equalsIgnoreCase("true")) {
            return BooleanNode.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return BooleanNode.FALSE;
        }
        return null;
    }
}
