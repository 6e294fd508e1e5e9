package io.lrpsidecar.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Raw request paths that decoding or normalising would turn into another path are refused; ordinary ones pass. */
class RawPathCheckTest {

    @Test
    void encodedAndPlainDotSegmentsAreRefused() {
        for (String path : List.of("/explanations/%2e%2e/q/metrics", "/explanations/%2E%2E/q/metrics",
                "/%2e%2e/q/health", "/explanations/%2e./q/metrics", "/explanations/.%2E/q/metrics",
                "/explanations/../q/metrics", "/explanations/./x", "/%2e/q/health", "/q/health/..",
                "/explanations/%2e%2e")) {
            Optional<String> refusal = RawPathCheck.refusal(path);
            assertTrue(refusal.isPresent(), path + " is refused");
            assertTrue(refusal.get().contains("dot segment"), refusal.get());
        }
    }

    @Test
    void encodedSlashesBackslashesAndControlCharactersAreRefused() {
        assertTrue(RawPathCheck.refusal("/explanations/..%2f..%2fq%2fmetrics").orElseThrow()
                .contains("encoded slash"));
        assertTrue(RawPathCheck.refusal("/explanations/a%2Fb").orElseThrow().contains("encoded slash"));
        assertTrue(RawPathCheck.refusal("/explanations/a%5cb").orElseThrow().contains("encoded slash"));
        assertTrue(RawPathCheck.refusal("/explanations\\..\\q\\metrics").orElseThrow().contains("backslash"));
        assertTrue(RawPathCheck.refusal("/explanations/a%00b").orElseThrow().contains("control character"));
    }

    @Test
    void emptySegmentsThatTheRouterWouldMergeAreRefused() {
        for (String path : List.of("//q/metrics", "/explanations//x", "/q//health")) {
            assertTrue(RawPathCheck.refusal(path).orElseThrow().contains("empty segment"), path);
        }
    }

    @Test
    void malformedPercentEncodingIsRefused() {
        for (String path : List.of("/explanations/%", "/explanations/%2", "/explanations/%zz",
                "/explanations/%c0%ae%c0%ae/q/metrics")) {
            assertTrue(RawPathCheck.refusal(path).orElseThrow().contains("malformed percent-encoding"), path);
        }
    }

    @Test
    void ordinaryPathsAndDoubleEncodedDotsPass() {
        for (String path : List.of("/", "/explanations", "/explanations/digit-3", "/explanations/digit-3/heatmap.png",
                "/explanations/event%20one", "/explanations/%C3%A9v%C3%A9nement", "/explanations/%252e%252e",
                "/explanations/v1.2...3", "/q/health/ready", "/index.html", "/replays/")) {
            assertEquals(Optional.empty(), RawPathCheck.refusal(path), path);
        }
    }
}
