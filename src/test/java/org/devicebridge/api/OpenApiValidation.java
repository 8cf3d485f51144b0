package org.devicebridge.api;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks real HTTP calls (java.net.http) against an OpenAPI 3 document with the Atlassian
 * swagger-request-validator: a response against the operation of its request's method and path
 * (status documented, required headers, content type, body schema), a request against what the
 * document accepts (parameters and their constraints, security, body schema).
 * <p>
 * Paths are matched with and without their trailing {@code /}, as the bridge serves them.
 * {@code allOf} is merged before validating. As the validator does by default, a field the
 * document does not name is an error (validation.schema.additionalProperties): the document need
 * not forbid unknown fields for its clients, but it must name every field the bridge sends; a
 * schema that is really open says {@code additionalProperties: true}.
 */
public final class OpenApiValidation {

    private final String specification;
    private final OpenApiInteractionValidator validator;

    private OpenApiValidation(String specification, OpenApiInteractionValidator validator) {
        this.specification = specification;
        this.validator = validator;
    }

    /**
     * A validator for the document's text (YAML or JSON), after checking that the document itself
     * parses without a single problem (an unresolved {@code $ref}, a misplaced keyword ...).
     */
    public static OpenApiValidation of(String specification) {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(specification);
        if (parsed.getOpenAPI() == null || (parsed.getMessages() != null && !parsed.getMessages().isEmpty())) {
            throw new AssertionError("the OpenAPI document does not parse cleanly: " + parsed.getMessages());
        }
        return new OpenApiValidation(specification, OpenApiInteractionValidator.createForInlineApiSpecification(specification)
                .withResolveRefs(true).withResolveCombinators(true).build());
    }

    public String specification() {
        return specification;
    }

    /** The parsed document (e.g. to list its operations and their documented statuses). */
    public OpenAPI model() {
        return new OpenAPIV3Parser().readContents(specification).getOpenAPI();
    }

    /** Every documented answer, as {@code "GET /commands/v0/status/{id}/ 404"}. */
    public Set<String> documentedAnswers() {
        Set<String> out = new LinkedHashSet<>();
        model().getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
                op.getResponses().keySet().forEach(status -> out.add(method + " " + path + " " + status))));
        return out;
    }

    // ---------------------------------------------------------------- responses

    /** The response against the operation its request was sent to. */
    public ValidationReport response(HttpResponse<String> response) {
        HttpRequest request = response.request();
        return validator.validateResponse(request.uri().getPath(), Request.Method.valueOf(request.method()), toResponse(response));
    }

    /** Fails (with every problem, the status and the body) unless the response is what the document says. */
    public void assertResponseValid(HttpResponse<String> response) {
        ValidationReport report = response(response);
        if (report.hasErrors()) {
            throw new AssertionError("the answer to " + response.request().method() + " " + response.request().uri()
                    + " does not follow the OpenAPI document:\n" + describe(report) + "\n  status " + response.statusCode()
                    + ", headers " + response.headers().map() + "\n  body " + abbreviate(response.body()));
        }
    }

    /** A response built by hand (e.g. a real one altered) against the operation of {@code method} and {@code path}. */
    public ValidationReport response(String method, String path, Response response) {
        return validator.validateResponse(path, Request.Method.valueOf(method), response);
    }

    public static Response toResponse(HttpResponse<String> response) {
        SimpleResponse.Builder b = SimpleResponse.Builder.status(response.statusCode());
        response.headers().map().forEach(b::withHeader);
        if (response.body() != null && !response.body().isEmpty()) {
            b.withBody(response.body());
        }
        return b.build();
    }

    // ---------------------------------------------------------------- requests

    /** The request as sent; {@code body} separately, as {@link HttpRequest} does not give it back. */
    public ValidationReport request(HttpRequest request, String body) {
        return validator.validateRequest(toRequest(request, body));
    }

    /** Fails unless the document accepts the request. */
    public void assertRequestValid(HttpRequest request, String body) {
        ValidationReport report = request(request, body);
        if (report.hasErrors()) {
            throw new AssertionError("the OpenAPI document does not accept " + request.method() + " " + request.uri()
                    + (body == null ? "" : " " + abbreviate(body)) + ":\n" + describe(report));
        }
    }

    /** The keys of the document's objections to the request (empty: it accepts it), e.g. {@code validation.request.parameter.schema.minimum}. */
    public List<String> requestProblems(HttpRequest request, String body) {
        return request(request, body).getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(ValidationReport.Message::getKey).toList();
    }

    public static Request toRequest(HttpRequest request, String body) {
        URI uri = request.uri();
        SimpleRequest.Builder b = new SimpleRequest.Builder(request.method(), uri.getPath());
        query(uri).forEach(b::withQueryParam);
        request.headers().map().forEach(b::withHeader);
        if (body != null) {
            b.withBody(body);
        }
        return b.build();
    }

    private static Map<String, List<String>> query(URI uri) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return params;
    }

    // ---------------------------------------------------------------- reports

    public static String describe(ValidationReport report) {
        return describe(report.getMessages(), "  ");
    }

    private static String describe(List<ValidationReport.Message> messages, String indent) {
        return messages.stream()
                .map(m -> indent + "[" + m.getLevel() + "] " + m.getKey() + ": " + m.getMessage()
                        + (m.getContext().isPresent() && m.getContext().get().getPointers().isPresent()
                        ? " (at " + m.getContext().get().getPointers().get().getInstance() + ")" : "")
                        + (m.getNestedMessages().isEmpty() ? "" : "\n" + describe(m.getNestedMessages(), indent + "  ")))
                .collect(Collectors.joining("\n"));
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
