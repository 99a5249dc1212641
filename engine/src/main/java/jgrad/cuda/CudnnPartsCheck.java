package jgrad.cuda;

import java.util.ArrayList;
import java.util.List;
import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;
import jgrad.device.Storage;

/**
 * One tiny real call per part of cuDNN, made when a device opens. cuDNN 9 loads libcudnn_graph,
 * libcudnn_ops, libcudnn_cnn and its engine libraries lazily, so a library that loads (what the
 * probe sees) can still fail at the first convolution or pooling call; found here, that becomes
 * the logged reason cuDNN is not used, instead of a CudaException in the middle of training.
 */
final class CudnnPartsCheck {
    private CudnnPartsCheck() {}

    /** Null when every call succeeds, else the first failing call and its error. */
    static String firstFailure(CudaDevice device, CudaOps ops) {
        Conv2dGeometry conv = Conv2dGeometry.of(2, 1, 4, 4, 2, 3, 1, 1);
        Pool2dGeometry pool = Pool2dGeometry.of(2, 1, 4, 4, 2, 2, 0);
        List<Storage> owned = new ArrayList<>();
        try {
            Storage x = take(device, owned, 2 * 16);
            Storage w = take(device, owned, 2 * 9);
            Storage b = take(device, owned, 2);
            Storage y = take(device, owned, 2 * 2 * 16);
            Storage dx = take(device, owned, 2 * 16);
            Storage dw = take(device, owned, 2 * 9);
            Storage db = take(device, owned, 2);
            Storage pooled = take(device, owned, 2 * 4);
            Storage gamma = take(device, owned, 2);
            Storage beta = take(device, owned, 2);
            Storage saveMean = take(device, owned, 2);
            Storage saveInvStd = take(device, owned, 2);
            Storage runningMean = take(device, owned, 2);
            Storage runningVar = take(device, owned, 2);
            ops.fill(x, 0.5f, 32);
            ops.fill(w, 0.25f, 18);
            ops.fill(b, 0f, 2);
            ops.fill(gamma, 1f, 2);
            ops.fill(beta, 0f, 2);
            ops.fill(runningMean, 0f, 2);
            ops.fill(runningVar, 1f, 2);
            String failure = attempt("convolution forward (libcudnn_cnn)", () -> ops.conv2dForward(conv, x, w, b, y));
            if (failure == null) {
                failure = attempt("convolution backward data (libcudnn_cnn)",
                        () -> ops.conv2dBackwardData(conv, y, w, dx, false));
            }
            if (failure == null) {
                failure = attempt("convolution backward filter (libcudnn_cnn)",
                        () -> ops.conv2dBackwardFilter(conv, x, y, dw, db, false));
            }
            if (failure == null) {
                failure = attempt("max pooling (libcudnn_ops)", () -> ops.maxPool2dForward(pool, x, pooled));
            }
            if (failure == null) {
                failure = attempt("batch norm (libcudnn_ops)", () -> ops.batchNormForward(y, gamma, beta, y, saveMean,
                        saveInvStd, runningMean, runningVar, 2, 2, 16, 0.1f, 1e-5f, true));
            }
            if (failure == null) {
                failure = attempt("synchronize after the cuDNN calls", device::synchronize);
            }
            return failure;
        } finally {
            owned.forEach(Storage::close);
        }
    }

    private static Storage take(CudaDevice device, List<Storage> owned, int numel) {
        Storage s = device.allocate(numel);
        owned.add(s);
        return s;
    }

    private static String attempt(String what, Runnable call) {
        try {
            call.run();
            return null;
        } catch (RuntimeException | LinkageError e) {
            return what + " failed: " + CudaProbe.describe(e);
        }
    }
}
