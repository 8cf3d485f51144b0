package org.devicebridge.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

/**
 * Opens batch files of docs/batch-format.md: a JSON document ({@code *.json}, with {@code request_id}
 * and an {@code actions} array), JSON Lines ({@code *.jsonl}, one action per line) or CSV
 * ({@code *.csv}, a header row and one action per line, see {@link CsvRowMapper}). All are
 * streamed; nothing reads a whole file into memory.
 * <p>
 * A record that cannot be read (broken JSON line, an action that is not an object, a CSV row with
 * the wrong number of cells, a line that is not UTF-8 text) becomes a {@link BatchRecord} with an
 * error, and reading goes on with the next one. A JSON document is read twice: first to its end
 * without keeping it ({@link #prepare}), so that one which does not parse to its end (truncated,
 * a key twice, nested too deeply) or whose {@code request_id} cannot be used is refused whole before
 * any of its actions is taken; then action by action. A CSV file whose header is wrong ends with one
 * error record.
 */
public class BatchReader {

    /** The ledger's request ids hold 200 characters. */
    public static final int MAX_REQUEST_ID = 200;
    /** The longest line of a JSON Lines or CSV batch (a longer one is rejected, and reading goes on after it). */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final ObjectReader lineReader;
    private final CsvRowMapper csv;

    public BatchReader(ObjectMapper mapper) {
        // a key twice in one object is an error, not "the last one wins"; a line holds one value, not one and then more
        JsonMapper strict = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        this.mapper = strict;
        this.factory = strict.getFactory();
        this.lineReader = strict.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.csv = new CsvRowMapper(mapper);
    }

    /**
     * A dropped (or scheduled) batch file, checked before any of its records is read: a JSON
     * document must parse to its end (a truncated one, one with a key twice or nested too deeply is
     * refused whole), and its {@code request_id} must fit the ledger.
     *
     * @param requestIdOverride the request id to use whatever the document says (a schedule's), or null:
     *                          the document's {@code request_id}, else {@code file:<name>:<first 16 hex of its SHA-256>}
     */
    public Batch prepare(Path file, String requestIdOverride) throws IOException {
        return prepare(file, file.getFileName().toString(), "file", requestIdOverride);
    }

    /**
     * A batch handed over by an endpoint as a file (a {@code file:}, {@code ftp:} or {@code sftp:}
     * consumer's, or a stream spooled to disk), checked like a dropped file and read from disk
     * record by record.
     *
     * @param name   the file's name (its extension picks the format: {@code .jsonl}, {@code .csv}, else a JSON
     *               document), or null for a JSON document without a name
     * @param source the requests' source: the request id, when the document gives none, is
     *               {@code <source>:<name>:<first 16 hex of its SHA-256>} ({@code <source>:<16 hex>} without a name)
     */
    public Batch prepareHandedFile(Path file, String name, String source) throws IOException {
        return prepare(file, name, source, null);
    }

    private Batch prepare(Path file, String name, String idPrefix, String requestIdOverride) throws IOException {
        String digest = sha256(file);
        String derived = requestIdOverride != null ? requestIdOverride
                : idPrefix + ":" + (name == null ? "" : name + ":") + digest.substring(0, 16);
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".csv")) {
            return new Batch(derived, false, digest, null, () -> open(file, lower, derived));
        }
        DocumentCheck check;
        try (InputStream in = Files.newInputStream(file)) {
            check = check(factory.createParser(in), requestIdOverride == null);
        }
        if (check.problem() != null) {
            return new Batch(derived, false, digest, check.problem(), null);
        }
        boolean given = requestIdOverride == null && check.requestId() != null;
        String requestId = given ? check.requestId() : derived;
        return new Batch(requestId, given, digest, null,
                () -> new JsonDocumentSource(factory.createParser(file.toFile()), requestId, given));
    }

    /**
     * A batch document that arrived as a message or an HTTP body (the JSON form of docs/batch-format.md),
     * checked to its end like a file.
     *
     * @param fallbackRequestId the request id when the document gives none (e.g. from an Idempotency-Key)
     */
    public Batch prepare(byte[] document, String fallbackRequestId) throws IOException {
        String digest = digest(document);
        if (document.length == 0) {
            return new Batch(fallbackRequestId, false, digest, new Problem(Problem.Kind.SHAPE, "document",
                    "the document is empty"), null);
        }
        DocumentCheck check = check(factory.createParser(document), true);
        if (check.problem() != null) {
            return new Batch(fallbackRequestId, false, digest, check.problem(), null);
        }
        boolean given = check.requestId() != null;
        String requestId = given ? check.requestId() : fallbackRequestId;
        return new Batch(requestId, given, digest, null,
                () -> new JsonDocumentSource(factory.createParser(document), requestId, given));
    }

    /** The records of a batch file (no checks beyond those of each record), under its derived request id. */
    public BatchSource open(Path file) throws IOException {
        Batch batch = prepare(file, null);
        if (batch.problem() != null) {
            return new ProblemSource(batch.requestId(), batch.problem());
        }
        return batch.records();
    }

    private BatchSource open(Path file, String lower, String requestId) throws IOException {
        if (lower.endsWith(".jsonl")) {
            return new JsonLinesSource(new TextLines(Files.newInputStream(file)), requestId);
        }
        return new CsvSource(new TextLines(Files.newInputStream(file)), requestId);
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

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Why a request id cannot be used, or null when it can: at most {@value #MAX_REQUEST_ID}
     * characters, no control characters (a NUL, a line break).
     */
    public static String requestIdProblem(String id) {
        if (id.length() > MAX_REQUEST_ID) {
            return "at most " + MAX_REQUEST_ID + " characters, not " + id.length();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return "holds a control character (U+" + String.format("%04X", (int) c) + ") at position " + (i + 1);
            }
        }
        return null;
    }

    /** The first pass over a JSON document: its top-level {@code request_id}, or why it cannot be taken in. */
    private record DocumentCheck(String requestId, Problem problem) {
    }

    /**
     * Reads the whole document once, without keeping it: it must be one JSON object, parse to its
     * end (nothing after it), hold no key twice and nest no deeper than Jackson's limit (1000), and
     * have an {@code actions} array; its {@code request_id}, when given and used, must be a string
     * that fits the ledger.
     */
    private DocumentCheck check(JsonParser parser, boolean requestIdUsed) throws IOException {
        String requestId = null;
        Problem idProblem = null;
        boolean sawActions = false;
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new DocumentCheck(null, new Problem(Problem.Kind.SHAPE, "line " + line(p),
                        "the document must be a JSON object with an \"actions\" array"));
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("actions".equals(field)) {
                    sawActions = true;
                    if (value != JsonToken.START_ARRAY) {
                        return new DocumentCheck(null, new Problem(Problem.Kind.SHAPE, "line " + line(p), "actions: must be an array"));
                    }
                } else if ("request_id".equals(field) && requestIdUsed && idProblem == null) {
                    if (value == JsonToken.VALUE_STRING) {
                        String id = p.getText().trim();
                        String problem = requestIdProblem(id);
                        if (problem != null) {
                            idProblem = new Problem(Problem.Kind.REQUEST_ID, "line " + line(p), "request_id: " + problem);
                        } else if (!id.isEmpty()) {
                            requestId = id;
                        }
                    } else if (value != JsonToken.VALUE_NULL) {
                        idProblem = new Problem(Problem.Kind.REQUEST_ID, "line " + line(p), "request_id: must be a string");
                    }
                }
                p.skipChildren();   // reads (and so checks) everything inside
            }
            if (p.nextToken() != null) {
                return new DocumentCheck(null, new Problem(Problem.Kind.SYNTAX, "line " + line(p),
                        "malformed JSON document: more content after the end of the document"));
            }
        } catch (StreamConstraintsException e) {
            return new DocumentCheck(null, new Problem(Problem.Kind.SYNTAX, "document", "malformed JSON document: " + tooDeep(e)));
        } catch (JsonProcessingException e) {
            return new DocumentCheck(null, new Problem(Problem.Kind.SYNTAX, "line " + (e.getLocation() == null ? 1
                    : Math.max(1, e.getLocation().getLineNr())), "malformed JSON document: " + e.getOriginalMessage()));
        }
        if (!sawActions) {
            return new DocumentCheck(null, new Problem(Problem.Kind.SHAPE, "document",
                    "actions: missing; a batch document needs an \"actions\" array"));
        }
        if (idProblem != null) {
            return new DocumentCheck(null, idProblem);
        }
        return new DocumentCheck(requestId, null);
    }

    private static int line(JsonParser p) {
        return Math.max(1, p.currentTokenLocation().getLineNr());
    }

    /** What Jackson's nesting limit says, for people. */
    static String tooDeep(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.toLowerCase(Locale.ROOT).contains("nesting depth")) {
            return "nested too deeply: more than " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels of arrays and objects";
        }
        return m.replaceAll(" ?\\(from `[^`]*`\\)", "");
    }

    /** Why a batch cannot be taken in at all, found before any record is read. */
    public record Problem(Kind kind, String ref, String reason) {

        public enum Kind {
            /** not a JSON object with an "actions" array */
            SHAPE,
            /** does not parse to its end (truncated, a key twice, nested too deeply, trailing content) */
            SYNTAX,
            /** its request_id cannot be used */
            REQUEST_ID,
            /** the file itself (a link, empty) */
            FILE
        }
    }

    /** What opens a batch's records, once it passed its checks. */
    @FunctionalInterface
    public interface Records {
        BatchSource open() throws IOException;
    }

    /**
     * A batch ready to be taken in: its request id (given, or derived), the digest of its bytes,
     * and either why it is refused whole ({@code problem}) or its records.
     */
    public record Batch(String requestId, boolean requestIdGiven, String digest, Problem problem, Records opener) {

        /** A batch refused whole, e.g. a file that is a symbolic link. */
        public static Batch refused(String requestId, String digest, String ref, String reason) {
            return new Batch(requestId, false, digest, new Problem(Problem.Kind.FILE, ref, reason), null);
        }

        public BatchSource records() throws IOException {
            if (opener == null) {
                throw new IllegalStateException("batch " + requestId + " is refused: " + problem.reason());
            }
            return opener.open();
        }
    }

    /** A refused batch read as one error record (the low-level {@link #open(Path)}). */
    private static final class ProblemSource implements BatchSource {
        private final String requestId;
        private BatchRecord record;

        ProblemSource(String requestId, Problem problem) {
            this.requestId = requestId;
            this.record = new BatchRecord(0, problem.ref(), null, null, problem.reason());
        }

        @Override
        public String requestId() {
            return requestId;
        }

        @Override
        public boolean requestIdGiven() {
            return false;
        }

        @Override
        public boolean hasNext() {
            return record != null;
        }

        @Override
        public BatchRecord next() {
            if (record == null) {
                throw new NoSuchElementException();
            }
            BatchRecord r = record;
            record = null;
            return r;
        }

        @Override
        public void close() {
        }
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

        /** One line; {@code text} null when the line is not text ({@code tooLong}: longer than {@value #MAX_LINE_BYTES} bytes). */
        record Line(String text, boolean tooLong) {
            Line(String text) {
                this(text, false);
            }

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
            long length = 0;
            while ((b = in.read()) != -1 && b != '\n' && b != '\r') {
                if (++length <= MAX_LINE_BYTES) {
                    line.write(b);
                }
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
            if (length > MAX_LINE_BYTES) {
                return new Line(null, true);
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
    private static final String TOO_LONG_REASON = "line too long: more than " + MAX_LINE_BYTES / (1024 * 1024) + " MiB";

    private static String notText(TextLines.Line line) {
        return line.tooLong() ? TOO_LONG_REASON : NOT_TEXT_REASON;
    }

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
                    return new BatchRecord(seq++, "line " + lineNo, null, null, notText(next));
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
                JsonNode node = lineReader.readTree(line);
                if (node == null || !node.isObject()) {
                    return new BatchRecord(seq++, ref, null, line, "not a JSON object");
                }
                return new BatchRecord(seq++, ref, node, line, null);
            } catch (StreamConstraintsException e) {
                return new BatchRecord(seq++, ref, null, line, "malformed JSON: " + tooDeep(e));
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
     * CSV: a header row (the first non-blank line), then one action per row. A row is one line, or
     * more when a quoted cell holds line breaks (RFC 4180): a line with an odd number of quotes goes
     * on with the next ones until its quotes pair up, for at most {@value #MAX_ROW_LINES} lines; a
     * quote never closed by then (or by the end of the file) spoils only its own line, and reading
     * goes on with the line after it. A row that cannot be read is an error record and the next row
     * goes on; a wrong header is one error record and the end of the file (no row can be read without it).
     */
    private final class CsvSource extends RecordSource {
        static final int MAX_ROW_LINES = 1000;

        private record Numbered(int no, TextLines.Line line) {
        }

        private final TextLines reader;
        private final Deque<Numbered> pushedBack = new ArrayDeque<>();
        private int lineNo;
        private List<String> columns;
        private boolean broken;

        CsvSource(TextLines reader, String requestId) {
            super(requestId, false);
            this.reader = reader;
        }

        private Numbered nextLine() throws IOException {
            if (!pushedBack.isEmpty()) {
                return pushedBack.poll();
            }
            TextLines.Line line = reader.next();
            return line == null ? null : new Numbered(++lineNo, line);
        }

        @Override
        protected BatchRecord readNext() throws IOException {
            if (broken) {
                return null;
            }
            Numbered next;
            while ((next = nextLine()) != null) {
                String ref = "line " + next.no();
                if (!next.line().isText()) {
                    if (columns == null) {
                        broken = true; // no row can be read without the header
                        return new BatchRecord(seq++, ref, null, null, "header: " + notText(next.line()));
                    }
                    return new BatchRecord(seq++, ref, null, null, notText(next.line()));
                }
                String line = next.line().text();
                if (next.no() == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a spreadsheet's byte order mark
                }
                if (line.isBlank()) {
                    continue;
                }
                String row = quotesOpen(line) ? continued(line) : line;
                if (row == null) {  // a quote never closed: this line alone is the row (and is malformed)
                    row = line;
                }
                try {
                    List<String> cells = csv.split(row);
                    if (columns == null) {
                        columns = csv.header(cells);
                        continue;
                    }
                    if (CsvRowMapper.blank(cells)) {
                        continue;
                    }
                    JsonNode action = csv.action(columns, cells);
                    return new BatchRecord(seq++, ref, action, row, null);
                } catch (CsvRowMapper.UnreadableRow e) {
                    if (columns == null) {
                        broken = true;
                    }
                    return new BatchRecord(seq++, ref, null, row, e.getMessage());
                }
            }
            if (columns == null) {
                broken = true;
                return new BatchRecord(seq++, "line 1", null, null,
                        "header: missing; a CSV batch starts with a header row such as kind,device,type,ids,params");
            }
            return null;
        }

        /**
         * The row that starts with {@code first} (whose quotes do not pair up) and goes on over the
         * next lines until they do; null, with the lines read pushed back, when they never do.
         */
        private String continued(String first) throws IOException {
            StringBuilder row = new StringBuilder(first);
            List<Numbered> taken = new java.util.ArrayList<>();
            boolean open = true;
            while (open && taken.size() < MAX_ROW_LINES && row.length() <= MAX_LINE_BYTES) {
                Numbered more = nextLine();
                if (more == null) {
                    break;
                }
                taken.add(more);
                if (!more.line().isText()) {
                    break;
                }
                row.append('\n').append(more.line().text());
                open ^= quotesOpen(more.line().text());
            }
            if (open) {
                for (int i = taken.size() - 1; i >= 0; i--) {
                    pushedBack.addFirst(taken.get(i));
                }
                return null;
            }
            return row.toString();
        }

        /** Does the line hold an odd number of quotes (a quoted cell left open at its end)? */
        private static boolean quotesOpen(String line) {
            int quotes = 0;
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) == '"') {
                    quotes++;
                }
            }
            return quotes % 2 == 1;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    /**
     * A JSON document: streams the elements of its top-level {@code actions} array. The document
     * was checked to its end before ({@link #check}), so a syntax error here means it changed since.
     */
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
            } catch (StreamConstraintsException e) {
                broken = true;
                return new BatchRecord(seq++, "document", null, null, "malformed JSON document: " + tooDeep(e));
            } catch (JsonProcessingException e) {
                broken = true; // nothing after a syntax error can be trusted
                return new BatchRecord(seq++, "line " + (e.getLocation() == null ? 1 : e.getLocation().getLineNr()), null, null,
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
