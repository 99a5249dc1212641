package jgrad.cli;

import picocli.CommandLine;

/** Version string from the jar manifest, or "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    static String get() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"jgrad " + get(), "Java " + System.getProperty("java.version")};
    }
}
