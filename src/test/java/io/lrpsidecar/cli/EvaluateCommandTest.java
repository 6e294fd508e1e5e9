package io.lrpsidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrpsidecar.npy.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lrp evaluate} and {@code lrp recommend} on the demo models: the acceptance figures on the digits held-out
 * rows, the report, plot and relevance files, the recommendation, and one-line errors.
 */
class EvaluateCommandTest {
    private static final Path DEMO = Path.of("src/main/resources/demo");
    private static final String DIGITS = DEMO.resolve("digits.onnx").toString();
    private static final String DIGITS_ROWS = DEMO.resolve("digits_holdout.npy").toString();
    private static final String CANCER = DEMO.resolve("breast_cancer.onnx").toString();
    private static final String CANCER_ROWS = DEMO.resolve("breast_cancer_holdout.npy").toString();
    private static final String BOX = "epsilon-gamma-box(low=0,high=1)";

    private final CliLauncher cli = new CliLauncher();

    @Test
    void onHeldOutDigitsTheBoxCompositeBeatsTheRandomControlWhoseAbpcCoversZero(@TempDir Path folder)
            throws Exception {
        Path report = folder.resolve("report.json");
        Path plot = folder.resolve("curves.png");
        CliLauncher.Result result = cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--labels",
                DEMO.resolve("digits_labels.npy").toString(), "--composites", BOX, "--threads", "1", "--output",
                report.toString(), "--plot", plot.toString(), "--relevance-out", folder.toString());
        assertEquals(0, result.exitCode(), result.error());
        JsonNode root = new ObjectMapper().readTree(report.toFile());
        JsonNode settings = root.get("settings");
        assertEquals(450, settings.get("rows").asInt());
        assertEquals("zero", settings.get("baseline").asText());
        assertEquals(64, settings.get("regions").asInt());
        assertEquals("labels", settings.get("targetsFrom").asText());
        assertEquals(HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(Path.of(DIGITS)))), settings.get("modelSha256").asText());
        JsonNode box = source(root, BOX).get("estimates").get("abpc");
        JsonNode random = source(root, "random").get("estimates").get("abpc");
        assertTrue(random.get("low").asDouble() <= 0 && 0 <= random.get("high").asDouble(), random.toString());
        assertTrue(box.get("low").asDouble() > random.get("high").asDouble(), box + " vs " + random);
        assertEquals(450, box.get("rows").asInt());
        assertEquals(21, source(root, BOX).get("meanCurves").get("morf").get("probability").size());
        assertEquals(450, source(root, "gradient-x-input").get("rows").size());
        List<String> lines = result.getOutputStream();
        assertTrue(lines.get(0).startsWith("digits.onnx: 450 rows, targets from labels, baseline zero"), lines.get(0));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(BOX + "  +")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("random ")), result.output());
        BufferedImage image = ImageIO.read(plot.toFile());
        assertEquals(648, image.getWidth());
        assertEquals(450 * 64, Npy.read(folder.resolve("epsilon-gamma-box_low_0_high_1_.npy")).tensor().size());
        assertEquals(450 * 64, Npy.read(folder.resolve("gradient-x-input.npy")).tensor().size());
    }

    @Test
    void recommendRanksTheCandidatesAndPrintsTheConfigurationLine() {
        CliLauncher.Result result = cli.launch("recommend", "--model", CANCER, "--input", CANCER_ROWS, "--labels",
                DEMO.resolve("breast_cancer_labels.npy").toString(), "--rows", "60", "--threads", "1", "--name",
                "cancer");
        assertEquals(0, result.exitCode(), result.error());
        List<String> lines = result.getOutputStream();
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("rank  composite")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.matches("\\s+1  \\S.*")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.contains("dense=gamma(0.05)")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.contains("epsilon(epsilon=0.25)")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.contains("random order (control)")), result.output());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("top two: ") && (line.endsWith(
                "statistically indistinguishable") || line.endsWith("the first is ahead"))), result.output());
        String first = lines.stream().filter(line -> line.matches("\\s+1  \\S.*")).findFirst().orElseThrow();
        String winner = first.substring(6).split("\\s{2,}")[0].replace(" (control)", "");
        assertEquals("lrp.models.cancer.composite=" + winner, lines.get(lines.size() - 1));
    }

    @Test
    void userErrorsAreOneLine() {
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites",
                "epsilon-plus-flta"), "unknown composite 'epsilon-plus-flta'; did you mean 'epsilon-plus-flat'?");
        assertOneLine(cli.launch("evaluate", "--model", CANCER, "--input", CANCER_ROWS, "--composites", "epsilon",
                "--region", "2x2"), "--region region 2x2 needs an input of rank 2 or more per row");
        assertOneLine(cli.launch("evaluate", "--model", CANCER, "--input", CANCER_ROWS, "--composites", "epsilon",
                "--baseline", "blur"), "the blur baseline needs image rows");
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites", "epsilon",
                "--baseline", "noise"), "expected zero, mean, blur[:SIGMA], pad:ID or @file.npy");
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites", "epsilon",
                "--order", "morf,best"), "--order order 'best': expected morf, lerf or random");
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites", "epsilon",
                "--steps", "0"), "--steps 0: expected a whole number of at least 1");
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites", "epsilon",
                "--region", "0x2"), "expected 1, N or RxC");
        assertOneLine(cli.launch("evaluate", "--model", DIGITS, "--input", DIGITS_ROWS, "--composites", "epsilon",
                "--labels", DEMO.resolve("breast_cancer_labels.npy").toString()), "expected 450 integer labels");
        assertOneLine(cli.launch("recommend", "--model", DIGITS, "--input", DIGITS_ROWS, "--rows", "0"),
                "--rows 0: expected a whole number of at least 1");
    }

    private static void assertOneLine(CliLauncher.Result result, String expected) {
        assertEquals(1, result.exitCode(), result.error());
        assertEquals(1, result.getErrorStream().size(), result.error());
        assertTrue(result.error().startsWith("lrp: ") && result.error().contains(expected), result.error());
        assertFalse(result.error().contains("Exception"), result.error());
    }

    private static JsonNode source(JsonNode root, String name) {
        for (JsonNode source : root.get("sources")) {
            if (source.get("name").asText().equals(name)) {
                return source;
            }
        }
        throw new AssertionError("no source " + name + " in the report");
    }
}
