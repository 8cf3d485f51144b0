package org.devicebridge.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Opens batch files of BATCH-FORMAT.md: a JSON document ({@code *.json}, with {@code request_id}
 * and an {@code actions} array), JSON Lines ({@code *.jsonl}, one action per line) or CSV
 * ({@code *.csv}, a header row and one action per line, see {@link CsvRowMapper}). All are
 * streamed; nothing reads a whole file into memory.
 * <p>
 * A record that cannot be read (broken JSON line, an action that is not an object, a CSV row with
 * the wrong number of cells, a line that is not UTF-8 text) becomes a {@link BatchRecord} with an
 * error, and reading goes on with the next one. A JSON document that is broken beyond the record level (no {@code actions} array,
 * truncated) or a CSV file whose header is wrong ends with one error record.
 */
public class BatchReader {

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final CsvRowMapper csv;

    public BatchReader(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
        this.csv = new CsvRowMapper(mapper);
    }

    public BatchSource open(Path file) throws IOException {
        String name = file.getFileName().toString();
        String derived = "file:" + name + ":" + sha256(file).substring(0, 16);
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl")) {
            return new JsonLinesSource(new TextLines(Files.newInputStream(file)), derived);
        }
        if (lower.endsWith(".csv")) {
            return new CsvSource(new TextLines(Files.newInputStream(file)), derived);
        }
        String given = findRequestId(factory.createParser(file.toFile()));
        return new JsonDocumentSource(factory.createParser(file.toFile()), given != null ? given : derived, given != null);
    }

    /**
     * Opens a batch document that arrived as a message or an HTTP body (BATCH-FORMAT.md's JSON form).
     *
     * @param fallbackRequestId the request id when the document gives none (e.g. from an Idempotency-Key)
     */
    public BatchSource openDocument(byte[] document, String fallbackRequestId) throws IOException {
        String given = findRequestId(factory.createParser(document));
        return new JsonDocumentSource(factory.createParser(document), given != null ? given : fallbackRequestId, given != null);
    }

    /**
     * The request id of a document that gives none and did not come from a file (a message, an
     * HTTP body): {@code <source>:} and the start of its digest, the same for the same bytes.
     */
    public static String contentRequestId(String source, byte[] document) {
        return source + ":" + digest(document).substring(0, 16);
    }

    /** SHA-256 of the text's UTF-8 bytes, 64 lower-case hex characters. */
    public static String digest(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of the bytes, 64 lower-case hex characters. */
    public static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** First pass over a JSON document: the top-level {@code request_id}, wherever it stands. */
    private String findRequestId(JsonParser parser) throws IOException {
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("request_id".equals(field) && value == JsonToken.VALUE_STRING && !p.getText().isBlank()) {
                    return p.getText().trim();
                }
                p.skipChildren();
            }
        } catch (JsonProcessingException e) {
            return null; // the second pass reports what is wrong, with the line
        }
        return null;
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /**
     * What both sources share: a one-record look-ahead, and the end of input, after which the
     * source is closed and keeps answering "no more" (Camel's splitter asks again).
     */
    private abstract static class RecordSource implements BatchSource {
        private final String requestId;
        private final boolean given;
        private BatchRecord next;
        private boolean exhausted;
        protected int seq;

        RecordSource(String requestId, boolean given) {
            this.requestId = requestId;
            this.given = given;
        }

        /** The next record, or null at the end of the input. */
        protected abstract BatchRecord readNext() throws IOException;

        @Override
        public String requestId() {
            return requestId;
        }

        @Override
        public boolean requestIdGiven() {
            return given;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !exhausted) {
                try {
                    next = readNext();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (next == null) {
                    exhausted = true;
                    try {
                        close();
                    } catch (IOException ignored) {
                        // reading is over either way
                    }
                }
            }
            return next != null;
        }

        @Override
        public BatchRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            BatchRecord r = next;
            next = null;
            return r;
        }
    }

    /**
     * The lines of a text file, read from its bytes (a huge file is never loaded whole), each
     * decoded from UTF-8 on its own. Lines end at {@code \n}, {@code \r\n} or {@code \r}, as
     * {@link BufferedReader#readLine()} has them. A line that is not text (not UTF-8, or holding a
     * NUL character, e.g. binary garbage) has no text: its record is rejected and the next line is
     * read as usual, instead of the whole file failing on its first bad byte.
     */
    static final class TextLines implements java.io.Closeable {

        /** One line; {@code text} null when the line is not text. */
        record Line(String text) {
            boolean isText() {
                return text != null;
            }
        }

        private final InputStream in;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        private boolean ended;

        TextLines(InputStream in) {
            this.in = new java.io.BufferedInputStream(in);
        }

        /** The next line, or null at the end of the file. */
        Line next() throws IOException {
            if (ended) {
                return null;
            }
            line.reset();
            int b;
            while ((b = in.read()) != -1 && b != '\n' && b != '\r') {
                line.write(b);
            }
            if (b == '\r') {
                in.mark(1);
                if (in.read() != '\n') {
                    in.reset();
                }
            }
            if (b == -1) {
                ended = true;
                if (line.size() == 0) {
                    return null;
                }
            }
            try {
                String text = utf8.decode(java.nio.ByteBuffer.wrap(line.toByteArray())).toString();
                return new Line(text.indexOf('\u0000') >= 0 ? null : text);
            } catch (java.nio.charset.CharacterCodingException e) {
                return new Line(null);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final String NOT_TEXT_REASON = "not text: the line is not UTF-8, or holds a NUL character";

    /** JSON Lines: one record per non-blank line; a broken line is an error record, the next line goes on. */
    private final class JsonLinesSource extends RecordSource {
        private final TextLines reader;
        private int lineNo;

        JsonLinesSource(TextLines reader, String requestId) {
            super(requestId, false);
            this.reader = reader;
        }

        @Override
        protected BatchRecord readNext() throws IOException {
            TextLines.Line next;
            while ((next = reader.next()) != null) {
                lineNo++;
                if (!next.isText()) {
                    return new BatchRecord(seq++, "line " + lineNo, null, null, NOT_TEXT_REASON);
                }
                if (!next.text().isBlank()) {
                    return parse(next.text());
                }
            }
            return null;
        }

        private BatchRecord parse(String line) {
            String ref = "line " + lineNo;
            try {
                JsonNode node = mapper.readTree(line);
                if (node == null || !node.isObject()) {
                    return new BatchRecord(seq++, ref, null, line, "not a JSON object");
                }
                return new BatchRecord(seq++, ref, node, line, null);
            } catch (JsonProcessingException e) {
                return new BatchRecord(seq++, ref, null, line, "malformed JSON: " + e.getOriginalMessage());
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /**
     * CSV: a header row (the first non-blank line), then one action per non-blank line. A row that
     * cannot be read is an error record and the next line goes on; a wrong header is one error
     * record and the end of the file (no row can be read without it).
     */
    private final class CsvSource extends RecordSource {
        private final TextLines reader;
        private int lineNo;
        private List<String> columns;
        private boolean broken;

        CsvSource(TextLines reader, String requestId) {
            super(requestId, false);
            this.reader = reader;
        }

        @Override
        protected BatchRecord readNext() throws IOException {
            if (broken) {
                return null;
            }
            TextLines.Line next;
            while ((next = reader.next()) != null) {
                lineNo++;
                if (!next.isText()) {
                    if (columns == null) {
                        broken = true; // no row can be read without the header
                        return new BatchRecord(seq++, "line " + lineNo, null, null, "header: " + NOT_TEXT_REASON);
                    }
                    return new BatchRecord(seq++, "line " + lineNo, null, null, NOT_TEXT_REASON);
                }
                String line = next.text();
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a spreadsheet's byte order mark
                }
                if (line.isBlank()) {
                    continue;
                }
                String ref = "line " + lineNo;
                try {
                    List<String> cells = csv.split(line);
                    if (columns == null) {
                        columns = csv.header(cells);
                        continue;
                    }
                    if (CsvRowMapper.blank(cells)) {
                        continue;
                    }
                    JsonNode action = csv.action(columns, cells);
                    return new BatchRecord(seq++, ref, action, line, null);
                } catch (CsvRowMapper.UnreadableRow e) {
                    if (columns == null) {
                        broken = true;
                    }
                    return new BatchRecord(seq++, ref, null, line, e.getMessage());
                }
            }
            if (columns == null) {
                broken = true;
                return new BatchRecord(seq++, "line 1", null, null,
                        "header: missing; a CSV batch starts with a header row such as kind,device,type,ids,params");
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /** A JSON document: streams the elements of its top-level {@code actions} array. */
    private final class JsonDocumentSource extends RecordSource {
        private final JsonParser parser;
        private boolean inActions;
        private boolean broken;
        private boolean sawActions;

        JsonDocumentSource(JsonParser parser, String requestId, boolean given) {
            super(requestId, given);
            this.parser = parser;
        }

        @Override
        protected BatchRecord readNext() throws IOException {
            if (broken) {
                return null;
            }
            try {
                return advance();
            } catch (JsonProcessingException e) {
                broken = true; // nothing after a syntax error can be trusted
                return new BatchRecord(seq++, "line " + e.getLocation().getLineNr(), null, null,
                        "malformed JSON document: " + e.getOriginalMessage());
            }
        }

        private BatchRecord advance() throws IOException {
            if (!inActions && !seekActions()) {
                broken = true;
                return sawActions ? null : new BatchRecord(seq++, "document", null, null,
                        "actions: missing; a batch document needs an \"actions\" array");
            }
            JsonToken t = parser.nextToken();
            if (t == JsonToken.END_ARRAY || t == null) {
                inActions = false;
                return advance();
            }
            int line = parser.currentTokenLocation().getLineNr();
            String ref = "line " + line + " (actions[" + seq + "])";
            if (t != JsonToken.START_OBJECT) {
                parser.skipChildren();
                return new BatchRecord(seq++, ref, null, null, "not a JSON object");
            }
            JsonNode node = mapper.readTree(parser);
            return new BatchRecord(seq++, ref, node, node.toString(), null);
        }

        /** Moves to the first element of the top-level "actions" array. @return false at the end of the document. */
        private boolean seekActions() throws IOException {
            if (parser.currentToken() == null && parser.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseHelper(parser, "the document must be a JSON object").exception();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("actions".equals(field) && !sawActions) {
                    sawActions = true;
                    if (value != JsonToken.START_ARRAY) {
                        throw new JsonParseHelper(parser, "actions: must be an array").exception();
                    }
                    inActions = true;
                    return true;
                }
                parser.skipChildren();
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** Builds a parse exception that carries the parser's current location. */
    private record JsonParseHelper(JsonParser parser, String message) {
        JsonProcessingException exception() {
            return new com.fasterxml.jackson.core.JsonParseException(parser, message);
        }
    }
}
