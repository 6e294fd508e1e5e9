package io.lrpsidecar.runtime;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The ONNX Runtime jar on the test class path, as its Maven metadata names it: {@code onnxruntime} (CPU build) or
 * {@code onnxruntime_gpu} (the {@code -Pgpu} build), and its version.
 *
 * @param artifactId the Maven artifact id
 * @param version    the Maven version
 */
record OnnxRuntimeJar(String artifactId, String version) {
    static final String GPU_ARTIFACT = "onnxruntime_gpu";
    private static final Pattern METADATA =
            Pattern.compile("META-INF/maven/com\\.microsoft\\.onnxruntime/([^/]+)/pom\\.(properties|xml)");

    boolean isGpuBuild() {
        return artifactId.equals(GPU_ARTIFACT);
    }

    /** Reads the Maven metadata of the jar that holds {@link OrtEnvironment}. */
    static OnnxRuntimeJar onClassPath() {
        Path jar;
        try {
            jar = Path.of(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the location of ONNX Runtime's classes is not a path: " + e, e);
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            JarEntry properties = null;
            JarEntry pom = null;
            String artifact = null;
            for (JarEntry entry : Collections.list(file.entries())) {
                Matcher match = METADATA.matcher(entry.getName());
                if (match.matches()) {
                    artifact = match.group(1);
                    if (match.group(2).equals("properties")) {
                        properties = entry;
                    } else {
                        pom = entry;
                    }
                }
            }
            if (properties != null) {
                try (InputStream in = file.getInputStream(properties)) {
                    Properties values = new Properties();
                    values.load(in);
                    return new OnnxRuntimeJar(artifact, values.getProperty("version"));
                }
            }
            if (pom != null) {
                try (InputStream in = file.getInputStream(pom)) {
                    return new OnnxRuntimeJar(artifact, projectVersion(in));
                }
            }
            throw new IllegalStateException("expected Maven metadata (" + METADATA + ") in " + jar + ", found none");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the ONNX Runtime jar " + jar + ": " + e, e);
        }
    }

    private static String projectVersion(InputStream pom) throws IOException {
        Element project;
        try {
            project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot parse ONNX Runtime's pom.xml: " + e, e);
        }
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals("version")) {
                return element.getTextContent().trim();
            }
        }
        throw new IllegalStateException("expected <version> under <project> in ONNX Runtime's pom.xml, found none");
    }
}
