package io.lrpsidecar.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lrpsidecar.ReferenceCase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A configured model that cannot be loaded, or whose class names or feature scaler do not fit it, makes readiness
 * DOWN with its error; the service does not crash.
 */
@QuarkusTest
@TestProfile(BrokenModelReadinessTest.BrokenModel.class)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class BrokenModelReadinessTest {

    /** Adds a model whose file is not an ONNX model. */
    public static class BrokenModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path broken = Files.createTempFile("broken", ".onnx");
                Files.writeString(broken, "not a model");
                String digits = ReferenceCase.folder("cnn_digits").resolve("model.onnx").toString();
                return Map.of("lrp.models.broken.file", broken.toString(),
                        "lrp.models.digits.file", digits,
                        "lrp.models.misnamed.file", digits,
                        "lrp.models.misnamed.class-names", "zero,one",
                        "lrp.models.halfscaled.file", digits,
                        "lrp.models.halfscaled.feature-mean", "0.5");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @TestHTTPResource("/q/health/ready")
    URI ready;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void readinessIsDownAndNamesTheBrokenModel() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"broken\": \"FAILED: not a readable ONNX model"), response.body());
        assertTrue(response.body().contains("\"digits\": \"loaded version 1"), response.body());
        assertTrue(response.body().contains("\"misnamed\": \"FAILED: model misnamed: expected 10 class names (one "
                + "per class of '"), response.body());
        assertTrue(response.body().contains("), found 2: [zero, one]\""), response.body());
        assertTrue(response.body().contains("\"halfscaled\": \"FAILED: model halfscaled: expected feature-std next"
                + " to feature-mean, found only feature-mean\""), response.body());
        String scrape = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(scrape.contains("lrp_model_load_failed{model=\"broken\"} 1.0"), "failure gauge");
        assertTrue(scrape.contains("lrp_model_info{composite=\"epsilon-plus-flat("), "info gauge");
    }
}
