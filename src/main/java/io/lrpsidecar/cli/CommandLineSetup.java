package io.lrpsidecar.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** Configures picocli so that every user error ends in one line on stderr and a non-zero exit, never a trace. */
@ApplicationScoped
class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return factory.create()
                .setExecutionExceptionHandler(new UserErrorHandler())
                .setParameterExceptionHandler(UserErrorHandler::handleParameterError);
    }
}
