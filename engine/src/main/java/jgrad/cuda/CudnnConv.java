package jgrad.cuda;

import static jcuda.jcudnn.JCudnn.cudnnAddTensor;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardBias;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardFilter;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardAlgorithmMaxCount;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jgrad.cuda.Cudnn.ONE;
import static jgrad.cuda.Cudnn.ZERO;
import static jgrad.cuda.Cudnn.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import jcuda.CudaException;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cuDNN convolution forward and both backwards. For each geometry the algorithms are chosen once,
 * by cuDNN's heuristics (cudnnGet*Algorithm_v7: no trial runs, no allocations of its own), and
 * cached with their workspace sizes; the workspace is taken from the device pool for each call
 * and handed back as soon as the call is queued (one stream: nothing can reuse it too early).
 *
 * <p>Choice: the first algorithm in cuDNN's ranking that succeeded, needs at most
 * {@link #WORKSPACE_LIMIT} and is deterministic (the math mode is the descriptor's: FMA, i.e. true
 * FP32, unless TF32 was asked for); if none is deterministic, the first that meets the rest (logged), unless
 * the device is {@code deterministic} (--deterministic), where that is an error instead. cuDNN
 * marks the algorithms that add with atomics (backward-filter ALGO_0 and ALGO_3, backward-data
 * ALGO_0) CUDNN_NON_DETERMINISTIC.
 */
final class CudnnConv implements ConvPoolKernels {
    private static final Logger LOG = LoggerFactory.getLogger(CudnnConv.class);
    static final long WORKSPACE_LIMIT = 1L << 30;

    private final Cudnn cudnn;
    private final CudaAllocator allocator;
    private final boolean tf32;
    private final boolean deterministic;
    private final Map<Conv2dGeometry, Plan> plans = new HashMap<>();

    /** One algorithm as cuDNN's heuristics rank it. */
    record Candidate(int algo, int status, long memory, int determinism, int mathType) {}

    record Algo(int algo, long workspace) {}

    /** Descriptors and chosen algorithms of one geometry; each direction has its own math type. */
    private static final class Plan {
        cudnnTensorDescriptor x;
        cudnnTensorDescriptor y;
        cudnnTensorDescriptor bias;
        cudnnFilterDescriptor w;
        cudnnConvolutionDescriptor forwardDesc;
        cudnnConvolutionDescriptor dataDesc;
        cudnnConvolutionDescriptor filterDesc;
        Algo forward;
        Algo data;
        Algo filter;
    }

    CudnnConv(Cudnn cudnn, CudaAllocator allocator, boolean tf32, boolean deterministic) {
        this.cudnn = cudnn;
        this.allocator = allocator;
        this.tf32 = tf32;
        this.deterministic = deterministic;
    }

    private int mathType() {
        return tf32 ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH;
    }

    private Plan plan(Conv2dGeometry g) {
        Plan p = plans.get(g);
        if (p != null) {
            return p;
        }
        p = new Plan();
        p.x = cudnn.tensor(g.batch(), g.inChannels(), g.height(), g.width());
        p.y = cudnn.tensor(g.batch(), g.outChannels(), g.outH(), g.outW());
        p.bias = cudnn.tensor(1, g.outChannels(), 1, 1);
        cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        check(cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
        cudnn.own(() -> cudnnDestroyFilterDescriptor(w));
        check(cudnnSetFilter4dDescriptor(w, cudnnDataType.CUDNN_DATA_FLOAT, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()), "cudnnSetFilter4dDescriptor " + g);
        p.w = w;
        p.forwardDesc = convolution(g);
        p.dataDesc = convolution(g);
        p.filterDesc = convolution(g);
        plans.put(g, p);
        return p;
    }

    private cudnnConvolutionDescriptor convolution(Conv2dGeometry g) {
        cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
        check(cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
        cudnn.own(() -> cudnnDestroyConvolutionDescriptor(d));
        check(cudnnSetConvolution2dDescriptor(d, g.padH(), g.padW(), g.strideH(), g.strideW(), 1, 1,
                cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT),
                "cudnnSetConvolution2dDescriptor " + g);
        check(cudnnSetConvolutionMathType(d, mathType()), "cudnnSetConvolutionMathType");
        return d;
    }

    /** Picks per the class comment; the workspace query confirms the algorithm runs with this descriptor. */
    Candidate choose(String what, Conv2dGeometry g, List<Candidate> ranked, WorkspaceQuery query) {
        for (boolean deterministicOnly : deterministic ? new boolean[] {true} : new boolean[] {true, false}) {
            for (Candidate c : ranked) {
                if (c.status() != 0 || c.memory() > WORKSPACE_LIMIT
                        || (deterministicOnly && c.determinism() != cudnnDeterminism.CUDNN_DETERMINISTIC)) {
                    continue;
                }
                long[] size = new long[1];
                if (query.size(c.algo(), size) == 0 && size[0] <= WORKSPACE_LIMIT) {
                    if (!deterministicOnly) {
                        LOG.info("cuDNN {} {}: no deterministic algorithm fits; algorithm {} may sum in a different "
                                + "order on each run (--deterministic would fail here instead)", what, g, c.algo());
                    }
                    LOG.debug("cuDNN {} {}: algorithm {} ({} workspace bytes)", what, g, c.algo(), size[0]);
                    return new Candidate(c.algo(), 0, size[0], c.determinism(), c.mathType());
                }
            }
        }
        throw new CudaException("cuDNN offers no usable " + (deterministic ? "deterministic " : "") + what
                + " algorithm for " + g + " (tf32 " + tf32 + (deterministic ? ", --deterministic" : "")
                + "); heuristics returned " + ranked);
    }

    @FunctionalInterface
    interface WorkspaceQuery {
        int size(int algo, long[] bytes);
    }

    /**
     * The descriptor's math type is set once, at creation ({@link #mathType()}), and never switched:
     * the heuristics rank and the workspace query sizes each algorithm for that math type, so the
     * call runs with exactly the workspace it was sized for. The perf results' mathType is not used:
     * the JCudnn 12.6 natives copy it back for backward-filter only (forward and backward-data read 0).
     */
    private static Algo finish(Candidate c) {
        return new Algo(c.algo(), c.memory());
    }

    /** One of cuDNN's _v7 heuristics: ranks up to {@code max} algorithms into {@code perf}, sets {@code count}. */
    @FunctionalInterface
    interface Heuristic<P> {
        int rank(int max, int[] count, P[] perf);
    }

    /**
     * Runs {@code call}MaxCount, then {@code call}_v7 through {@code heuristic}, and reads its answers
     * as candidates. The three directions' perf records have the same fields but no common type, so
     * the caller says how to make one and how to read it.
     */
    private static <P> List<Candidate> ranked(String call, Conv2dGeometry g, ToIntFunction<int[]> maxCount,
            IntFunction<P[]> array, Supplier<P> perfRecord, Heuristic<P> heuristic, Function<P, Candidate> read) {
        int[] max = new int[1];
        check(maxCount.applyAsInt(max), call + "MaxCount");
        P[] perf = array.apply(max[0]);
        Arrays.setAll(perf, i -> perfRecord.get());
        int[] count = new int[1];
        check(heuristic.rank(max[0], count, perf), call + "_v7 " + g);
        List<Candidate> ranked = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            ranked.add(read.apply(perf[i]));
        }
        return ranked;
    }

    private Algo forwardAlgo(Conv2dGeometry g, Plan p) {
        if (p.forward == null) {
            List<Candidate> ranked = ranked("cudnnGetConvolutionForwardAlgorithm", g,
                    max -> cudnnGetConvolutionForwardAlgorithmMaxCount(cudnn.handle, max),
                    cudnnConvolutionFwdAlgoPerf[]::new, cudnnConvolutionFwdAlgoPerf::new,
                    (max, count, perf) -> cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle, p.x, p.w, p.forwardDesc,
                            p.y, max, count, perf),
                    r -> new Candidate(r.algo, r.status, r.memory, r.determinism, r.mathType));
            p.forward = finish(choose("forward", g, ranked, (algo, bytes) ->
                    cudnnGetConvolutionForwardWorkspaceSize(cudnn.handle, p.x, p.w, p.forwardDesc, p.y, algo, bytes)));
        }
        return p.forward;
    }

    private Algo dataAlgo(Conv2dGeometry g, Plan p) {
        if (p.data == null) {
            List<Candidate> ranked = ranked("cudnnGetConvolutionBackwardDataAlgorithm", g,
                    max -> cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnn.handle, max),
                    cudnnConvolutionBwdDataAlgoPerf[]::new, cudnnConvolutionBwdDataAlgoPerf::new,
                    (max, count, perf) -> cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle, p.w, p.y, p.dataDesc,
                            p.x, max, count, perf),
                    r -> new Candidate(r.algo, r.status, r.memory, r.determinism, r.mathType));
            p.data = finish(choose("backward-data", g, ranked, (algo, bytes) ->
                    cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn.handle, p.w, p.y, p.dataDesc, p.x, algo, bytes)));
        }
        return p.data;
    }

    private Algo filterAlgo(Conv2dGeometry g, Plan p) {
        if (p.filter == null) {
            List<Candidate> ranked = ranked("cudnnGetConvolutionBackwardFilterAlgorithm", g,
                    max -> cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnn.handle, max),
                    cudnnConvolutionBwdFilterAlgoPerf[]::new, cudnnConvolutionBwdFilterAlgoPerf::new,
                    (max, count, perf) -> cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle, p.x, p.y,
                            p.filterDesc, p.w, max, count, perf),
                    r -> new Candidate(r.algo, r.status, r.memory, r.determinism, r.mathType));
            p.filter = finish(choose("backward-filter", g, ranked, (algo, bytes) ->
                    cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn.handle, p.x, p.y, p.filterDesc, p.w, algo,
                            bytes)));
        }
        return p.filter;
    }

    @Override
    public void forward(Conv2dGeometry g, CudaStorage x, CudaStorage w, CudaStorage bias, CudaStorage y) {
        Plan p = plan(g);
        Algo a = forwardAlgo(g, p);
        CudaAllocator.Block ws = allocator.take(a.workspace());
        try {
            check(cudnnConvolutionForward(cudnn.handle, ONE, p.x, x.pointer(), p.w, w.pointer(), p.forwardDesc, a.algo(),
                    ws.ptr(), a.workspace(), ZERO, p.y, y.pointer()), "cudnnConvolutionForward " + g);
        } finally {
            allocator.release(ws);
        }
        if (bias != null) {
            check(cudnnAddTensor(cudnn.handle, ONE, p.bias, bias.pointer(), ONE, p.y, y.pointer()), "cudnnAddTensor");
        }
    }

    @Override
    public void backwardData(Conv2dGeometry g, CudaStorage dy, CudaStorage w, CudaStorage dx, boolean accumulate) {
        Plan p = plan(g);
        Algo a = dataAlgo(g, p);
        CudaAllocator.Block ws = allocator.take(a.workspace());
        try {
            check(cudnnConvolutionBackwardData(cudnn.handle, ONE, p.w, w.pointer(), p.y, dy.pointer(), p.dataDesc,
                    a.algo(), ws.ptr(), a.workspace(), accumulate ? ONE : ZERO, p.x, dx.pointer()),
                    "cudnnConvolutionBackwardData " + g);
        } finally {
            allocator.release(ws);
        }
    }

    @Override
    public void backwardFilter(Conv2dGeometry g, CudaStorage x, CudaStorage dy, CudaStorage dw, CudaStorage dbias,
                        boolean accumulate) {
        Plan p = plan(g);
        Algo a = filterAlgo(g, p);
        CudaAllocator.Block ws = allocator.take(a.workspace());
        try {
            check(cudnnConvolutionBackwardFilter(cudnn.handle, ONE, p.x, x.pointer(), p.y, dy.pointer(), p.filterDesc,
                    a.algo(), ws.ptr(), a.workspace(), accumulate ? ONE : ZERO, p.w, dw.pointer()),
                    "cudnnConvolutionBackwardFilter " + g);
        } finally {
            allocator.release(ws);
        }
        if (dbias != null) {
            check(cudnnConvolutionBackwardBias(cudnn.handle, ONE, p.y, dy.pointer(), accumulate ? ONE : ZERO, p.bias,
                    dbias.pointer()), "cudnnConvolutionBackwardBias");
        }
    }

    // Pooling is cuDNN's too where convolution is: both come with the library.

    @Override
    public void maxPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y) {
        cudnn.poolForward(g, true, x, y);
    }

    @Override
    public void maxPoolBackward(Pool2dGeometry g, CudaStorage x, CudaStorage y, CudaStorage dy, CudaStorage dx,
                                boolean accumulate) {
        cudnn.poolBackward(g, true, x, y, dy, dx, accumulate);
    }

    @Override
    public void avgPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y) {
        cudnn.poolForward(g, false, x, y);
    }

    /** Average pooling's gradient reads neither x nor y; cuDNN still wants pointers of their shapes. */
    @Override
    public void avgPoolBackward(Pool2dGeometry g, CudaStorage dy, CudaStorage dx, boolean accumulate) {
        cudnn.poolBackward(g, false, dx, dy, dy, dx, accumulate);
    }
}
