package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jgrad.cli.DeviceReport.NvmlSection;
import org.junit.jupiter.api.Test;

/** The binding's failure paths, which every machine can exercise: a missing library, a missing symbol. */
class NvmlTest {
    @Test
    void missingLibraryIsAReasonNotACrash() {
        NvmlSection s = NvmlReader.read("libjgrad-no-such-library.so.1");
        assertFalse(s.available());
        assertTrue(s.reason().contains("libjgrad-no-such-library.so.1 could not be loaded"), s.reason());
        assertTrue(s.reason().contains("cannot open shared object file"), s.reason());
        assertTrue(s.gpus().isEmpty());
    }

    @Test
    void libraryWithoutNvmlSymbolsNamesTheMissingFunction() {
        // libc loads everywhere on Linux and has no nvmlInit_v2: the per-symbol lookup must say so.
        NvmlSection s = NvmlReader.read("libc.so.6");
        assertFalse(s.available());
        assertTrue(s.reason().contains("nvmlInit_v2"), s.reason());
        assertTrue(s.reason().contains("function not in this"), s.reason());
    }

    @Test
    void dlopenLineIsPickedFromJnasMessage() {
        String jna = "Unable to load library 'libnvidia-ml.so.1':\n"
                + "libnvidia-ml.so.1: cannot open shared object file: No such file or directory\n"
                + "Native library (linux-x86-64/libnvidia-ml.so.1) not found in resource path (x.jar)";
        String line = Nvml.firstDlopenLine(jna, "libnvidia-ml.so.1");
        assertTrue(line.startsWith("libnvidia-ml.so.1: cannot open shared object file"), line);
    }
}
