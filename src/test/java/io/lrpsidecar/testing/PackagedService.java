package io.lrpsidecar.testing;

import io.lrpsidecar.ReferenceCase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app}) as a child process against a test broker, serving the reference
 * digits model on a free HTTP port; {@link #start} returns once Quarkus reports it started.
 *
 * @param process the running service
 * @param port    its HTTP port
 */
public record PackagedService(Process process, int port) {

    public static PackagedService start(String bootstrap, Path stateDir, String... extraProperties)
            throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("java", "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dquarkus.http.port=" + port, "-Dkafka-streams.state.dir=" + stateDir,
                "-Dlrp.models.digits.file=" + ReferenceCase.folder("cnn_digits").resolve("model.onnx"),
                "-Dlrp.runtime.threads=1"));
        for (String property : extraProperties) {
            command.add("-D" + property.replace("{port}", Integer.toString(port)));
        }
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread logReader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains(" started in ")) {
                        started.complete(null);
                    }
                }
                started.completeExceptionally(new AssertionError("the service exited before it started"));
            } catch (java.io.IOException e) {
                started.completeExceptionally(e);
            }
        }, "service-log");
        logReader.setDaemon(true);
        logReader.start();
        started.get(120, TimeUnit.SECONDS);
        return new PackagedService(process, port);
    }

    /** Stops the service (SIGTERM) and waits for it to exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
