package io.lrpsidecar.app.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The regulator's report as a print-ready HTML page: A4, the navigation hidden in print, no page break inside a table
 * (the style sheet is {@code /report.css}). Every value is HTML-escaped, whether it came from the configuration or
 * from an event, so an event id or label holding markup is shown as text.
 */
final class ReportPage {
    private ReportPage() {
    }

    static String render(RegulatorReport report) {
        RegulatorReport.Decision decision = report.decision();
        StringBuilder page = new StringBuilder(8192);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Explanation report: ")
                .append(escape(report.eventId())).append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/report.css\">\n</head>\n<body>\n");
        String eventId = URLEncoder.encode(report.eventId(), StandardCharsets.UTF_8).replace("+", "%20");
        String query = "?composite=" + report.method().compositeHash() + "&origin=" + report.origin();
        page.append("<nav id=\"report-nav\"><a href=\"/\">lrp-sidecar</a> <a href=\"/event.html?id=")
                .append(escape(eventId)).append("&amp;composite=").append(escape(report.method().compositeHash()))
                .append("\">event page</a> <a href=\"/explanations/").append(escape(eventId)).append("/report")
                .append(escape(query)).append("&amp;format=json\">JSON</a> ")
                .append("<button type=\"button\" onclick=\"window.print()\">Print</button></nav>\n");
        page.append("<main>\n<h1>Explanation of an automated decision</h1>\n");
        page.append("<p class=\"subtitle\">Event <code id=\"event-id\">").append(escape(report.eventId()))
                .append("</code>, decided at <time id=\"decided-at\">")
                .append(escape(report.decidedAt() == null ? "(the event is no longer kept)" : report.decidedAt()))
                .append("</time>, explained at <time id=\"explained-at\">").append(escape(report.explainedAt()))
                .append("</time> (").append(escape(report.origin())).append(" explanation)</p>\n");

        page.append("<section id=\"decision\">\n<h2>Decision</h2>\n<table class=\"facts\">\n");
        row(page, "Decision", "decision-class", className(decision.predictedClass(),
                decision.predictedClassName()));
        row(page, "Probability of the decision", "decision-probability", decision.probability() == null
                ? "not recorded" : percent(decision.probability()));
        row(page, "Class explained", "explained-class", className(decision.explainedClass(),
                decision.explainedClassName()) + " (" + decision.explainedBecause() + ")");
        if (decision.label() != null) {
            row(page, "True class given with the event", "label", className(decision.label(),
                    decision.labelName()));
        }
        page.append("</table>\n</section>\n");

        String explained = className(decision.explainedClass(), decision.explainedClassName());
        page.append("<section id=\"reasons\">\n<h2>Reasons</h2>\n<p>The features of largest relevance for this "
                + "decision, split by sign: those that raised the score of ").append(escape(explained))
                .append(" and those that lowered it.</p>\n");
        reasons(page, "supporting", "For " + explained, report.supporting());
        reasons(page, "opposing", "Against " + explained, report.opposing());
        page.append("</section>\n");

        RegulatorReport.Method method = report.method();
        page.append("<section id=\"provenance\">\n<h2>Model and method</h2>\n<table class=\"facts\">\n");
        row(page, "Model", "model-name", report.model().name());
        row(page, "Model version", "model-version", report.model().version());
        row(page, "Model SHA-256", "model-sha256", report.model().sha256());
        row(page, "Composite (LRP rules)", "composite", method.composite() + " (hash " + method.compositeHash()
                + ")");
        row(page, "Explained logit", "explained-logit", number(method.explainedLogit()));
        row(page, "Sum of relevance", "relevance-sum", number(method.relevanceSum()));
        row(page, "Conservation error (relative)", "conservation-error", number(method.conservationError()));
        row(page, "Explainer", "explainer-version", "lrp-sidecar " + (method.explainerVersion() == null
                ? "(version not recorded)" : method.explainerVersion()));
        StringBuilder runtimes = new StringBuilder();
        for (Map.Entry<String, String> runtime : method.runtimeVersions().entrySet()) {
            runtimes.append(runtimes.isEmpty() ? "" : ", ").append(runtime.getKey()).append(' ')
                    .append(runtime.getValue());
        }
        row(page, "Runtime", "runtime-versions", runtimes + " on " + method.executionProvider());
        page.append("</table>\n</section>\n");

        page.append("<section id=\"meaning\">\n<h2>What relevance is, and what it is not</h2>\n<p>")
                .append(escape(report.relevanceMeaning())).append("</p>\n</section>\n</main>\n</body>\n</html>\n");
        return page.toString();
    }

    private static void reasons(StringBuilder page, String id, String title, List<RegulatorReport.Reason> reasons) {
        page.append("<h3>").append(escape(title)).append("</h3>\n");
        if (reasons.isEmpty()) {
            page.append("<p id=\"").append(id).append("-none\">None among the top features.</p>\n");
            return;
        }
        page.append("<table id=\"").append(id).append("\" class=\"reasons\">\n<thead><tr><th>feature</th>"
                + "<th>raw value</th><th>value the model saw</th><th>relevance</th></tr></thead>\n<tbody>\n");
        for (RegulatorReport.Reason reason : reasons) {
            page.append("<tr><td>").append(escape(reason.feature() == null ? "feature " + reason.index()
                    : reason.feature())).append("</td><td class=\"number raw-value\">")
                    .append(escape(reason.rawValue() == null ? "–" : number(reason.rawValue())))
                    .append("</td><td class=\"number\">")
                    .append(escape(reason.value() == null ? "–" : number(reason.value())))
                    .append("</td><td class=\"number relevance\">").append(escape(signed(reason.relevance())))
                    .append("</td></tr>\n");
        }
        page.append("</tbody>\n</table>\n");
    }

    private static void row(StringBuilder page, String label, String id, String value) {
        page.append("<tr><th>").append(escape(label)).append("</th><td id=\"").append(id).append("\">")
                .append(escape(value)).append("</td></tr>\n");
    }

    private static String className(int index, String name) {
        return name == null ? "class " + index : name + " (class " + index + ")";
    }

    /** A percentage with one decimal; one that would round to 100.0% without being certain is "&gt;99.9%". */
    static String percent(double probability) {
        String rounded = String.format(Locale.ROOT, "%.1f%%", 100 * probability);
        return rounded.equals("100.0%") && probability < 1 ? ">99.9%" : rounded;
    }

    /** Six significant digits: raw values keep their units' scale, relevance its sign. */
    static String number(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }

    private static String signed(double value) {
        return (value > 0 ? "+" : "") + number(value);
    }

    /** {@code value} as HTML text, safe in element content and in quoted attribute values. */
    static String escape(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
