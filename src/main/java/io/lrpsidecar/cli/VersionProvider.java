package io.lrpsidecar.cli;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code lrp --version}, from the jar manifest. */
public class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = LrpCommand.class.getPackage().getImplementationVersion();
        return new String[] {"lrp-sidecar " + (version == null ? "(development build)" : version)};
    }
}
