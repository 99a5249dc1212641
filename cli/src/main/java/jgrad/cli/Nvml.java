package jgrad.cli;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVIDIA Management Library bound with JNA: each call looks its symbol up by name, so a
 * driver whose libnvidia-ml lacks one function fails that call (with the symbol named), not the
 * whole report. Nothing is loaded until {@link #open} is called.
 */
final class Nvml implements AutoCloseable {
    static final String LIBRARY = "libnvidia-ml.so.1";

    static final int SUCCESS = 0;
    static final int ERROR_NOT_SUPPORTED = 3;
    static final int ERROR_INSUFFICIENT_SIZE = 7;
    /** Our own code for "symbol not in this libnvidia-ml"; NVML's codes are all below 1000. */
    static final int SYMBOL_MISSING = 1000;

    /** A failed NVML call; the message names the function and NVML's own error string. */
    static final class NvmlException extends Exception {
        final int code;

        NvmlException(String message, int code) {
            super(message);
            this.code = code;
        }

        /** The reason without the function name, e.g. "Not Supported", for per-field notes. */
        String reason() {
            String m = getMessage();
            int colon = m.indexOf(": ");
            return colon < 0 ? m : m.substring(colon + 2);
        }
    }

    private final NativeLibrary lib;
    private boolean initialised;

    private Nvml(NativeLibrary lib) {
        this.lib = lib;
    }

    /**
     * Loads {@code library} and calls nvmlInit_v2.
     *
     * @throws NvmlException when the library cannot be loaded (the dlopen line says why) or
     *                       NVML does not initialise (e.g. "Driver Not Loaded")
     */
    static Nvml open(String library) throws NvmlException {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance(library);
        } catch (UnsatisfiedLinkError e) {
            throw new NvmlException(library + " could not be loaded: " + firstDlopenLine(e.getMessage(), library),
                    SYMBOL_MISSING);
        }
        Nvml nvml = new Nvml(lib);
        nvml.check("nvmlInit_v2");
        nvml.initialised = true;
        return nvml;
    }

    /** JNA's message lists every place it looked; the dlopen line is the one that explains. */
    static String firstDlopenLine(String message, String library) {
        if (message == null) {
            return "unknown error";
        }
        for (String line : message.split("\n")) {
            String l = line.trim();
            if (l.startsWith(library + ":") || l.contains("cannot open shared object")) {
                return l;
            }
        }
        String first = message.split("\n")[0].trim();
        return first.length() > 200 ? first.substring(0, 200) + "…" : first;
    }

    /** Calls {@code fn} and returns NVML's status; a symbol this library lacks is {@link #SYMBOL_MISSING}. */
    int call(String fn, Object... args) {
        Function f;
        try {
            f = lib.getFunction(fn);
        } catch (UnsatisfiedLinkError e) {
            return SYMBOL_MISSING;
        }
        return f.invokeInt(args);
    }

    /** Calls {@code fn} and throws with its reason unless it returned NVML_SUCCESS. */
    void check(String fn, Object... args) throws NvmlException {
        int status = call(fn, args);
        if (status != SUCCESS) {
            throw new NvmlException(fn + ": " + errorString(status), status);
        }
    }

    /** NVML's text for a status code (nvmlErrorString), or the number when even that is unavailable. */
    String errorString(int status) {
        if (status == SYMBOL_MISSING) {
            return "function not in this " + LIBRARY + " (driver too old?)";
        }
        try {
            Pointer s = (Pointer) lib.getFunction("nvmlErrorString").invoke(Pointer.class, new Object[] {status});
            return s == null ? "NVML error " + status : s.getString(0);
        } catch (UnsatisfiedLinkError e) {
            return "NVML error " + status;
        }
    }

    /** An unsigned int out-parameter: {@code fn(args..., &value)}. */
    long uint(String fn, Object... args) throws NvmlException {
        try (Memory out = new Memory(4)) {
            out.setInt(0, 0);
            check(fn, append(args, out));
            return Integer.toUnsignedLong(out.getInt(0));
        }
    }

    /** A NUL-terminated string out-parameter: {@code fn(args..., buf, size)}. */
    String string(String fn, int size, Object... args) throws NvmlException {
        try (Memory buf = new Memory(size)) {
            buf.clear();
            check(fn, append(append(args, buf), size));
            return NvmlStructs.cString(buf.getByteArray(0, size));
        }
    }

    /** The raw bytes of a struct out-parameter: {@code fn(args..., &struct)}. */
    byte[] struct(String fn, int size, Object... args) throws NvmlException {
        try (Memory buf = new Memory(size)) {
            buf.clear();
            check(fn, append(args, buf));
            return buf.getByteArray(0, size);
        }
    }

    /** The device handle for GPU {@code index} (nvmlDeviceGetHandleByIndex_v2). */
    Pointer handle(int index) throws NvmlException {
        PointerByReference ref = new PointerByReference();
        check("nvmlDeviceGetHandleByIndex_v2", index, ref);
        return ref.getValue();
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    @Override
    public void close() {
        if (initialised) {
            initialised = false;
            call("nvmlShutdown"); // nothing useful to do if shutdown fails
        }
    }
}
