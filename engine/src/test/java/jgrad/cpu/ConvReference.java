package jgrad.cpu;

import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;

/** Direct-loop convolution and pooling in double: the definitions, written as plainly as possible. */
final class ConvReference {
    private ConvReference() {}

    static int inputIndex(Conv2dGeometry g, int b, int c, int h, int w) {
        return ((b * g.inChannels() + c) * g.height() + h) * g.width() + w;
    }

    static int outputIndex(Conv2dGeometry g, int b, int o, int y, int x) {
        return ((b * g.outChannels() + o) * g.outH() + y) * g.outW() + x;
    }

    static int weightIndex(Conv2dGeometry g, int o, int c, int i, int j) {
        return ((o * g.inChannels() + c) * g.kernelH() + i) * g.kernelW() + j;
    }

    /** Calls body(outputIndex, inputIndex, weightIndex) for every product term of the convolution. */
    interface Term {
        void accept(int out, int in, int weight);
    }

    static void forEachTerm(Conv2dGeometry g, Term body) {
        for (int b = 0; b < g.batch(); b++) {
            for (int o = 0; o < g.outChannels(); o++) {
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        for (int c = 0; c < g.inChannels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int h = y * g.strideH() - g.padH() + i;
                                    int w = x * g.strideW() - g.padW() + j;
                                    if (h >= 0 && h < g.height() && w >= 0 && w < g.width()) {
                                        body.accept(outputIndex(g, b, o, y, x), inputIndex(g, b, c, h, w),
                                                weightIndex(g, o, c, i, j));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static double[] forward(Conv2dGeometry g, float[] x, float[] w, float[] bias) {
        double[] y = new double[g.outputNumel()];
        forEachTerm(g, (o, i, k) -> y[o] += (double) x[i] * w[k]);
        if (bias != null) {
            int plane = g.outH() * g.outW();
            for (int n = 0; n < y.length; n++) {
                y[n] += bias[n / plane % g.outChannels()];
            }
        }
        return y;
    }

    static double[] backwardData(Conv2dGeometry g, float[] dy, float[] w) {
        double[] dx = new double[g.inputNumel()];
        forEachTerm(g, (o, i, k) -> dx[i] += (double) dy[o] * w[k]);
        return dx;
    }

    static double[] backwardFilter(Conv2dGeometry g, float[] x, float[] dy) {
        double[] dw = new double[g.weightNumel()];
        forEachTerm(g, (o, i, k) -> dw[k] += (double) dy[o] * x[i]);
        return dw;
    }

    static double[] biasGradient(Conv2dGeometry g, float[] dy) {
        double[] db = new double[g.outChannels()];
        int plane = g.outH() * g.outW();
        for (int n = 0; n < dy.length; n++) {
            db[n / plane % g.outChannels()] += dy[n];
        }
        return db;
    }

    /** Pool windows: body(outputIndex, inputIndexOrMinusOneForPadding) in row-major window order. */
    interface Window {
        void accept(int out, int in);
    }

    static void forEachWindowCell(Pool2dGeometry g, Window body) {
        for (int p = 0; p < g.batch() * g.channels(); p++) {
            for (int y = 0; y < g.outH(); y++) {
                for (int x = 0; x < g.outW(); x++) {
                    int out = (p * g.outH() + y) * g.outW() + x;
                    for (int i = 0; i < g.kernelH(); i++) {
                        for (int j = 0; j < g.kernelW(); j++) {
                            int h = y * g.strideH() - g.padH() + i;
                            int w = x * g.strideW() - g.padW() + j;
                            boolean inside = h >= 0 && h < g.height() && w >= 0 && w < g.width();
                            body.accept(out, inside ? (p * g.height() + h) * g.width() + w : -1);
                        }
                    }
                }
            }
        }
    }

    static double[] maxForward(Pool2dGeometry g, float[] x) {
        double[] y = new double[g.outputNumel()];
        java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
        forEachWindowCell(g, (o, i) -> {
            if (i >= 0) {
                y[o] = Math.max(y[o], x[i]);
            }
        });
        return y;
    }

    /** The gradient goes to the first cell (row-major) holding the window's maximum. */
    static double[] maxBackward(Pool2dGeometry g, float[] x, float[] dy) {
        int[] argmax = new int[g.outputNumel()];
        java.util.Arrays.fill(argmax, -1);
        forEachWindowCell(g, (o, i) -> {
            if (i >= 0 && (argmax[o] < 0 || x[i] > x[argmax[o]])) {
                argmax[o] = i;
            }
        });
        double[] dx = new double[g.inputNumel()];
        for (int o = 0; o < argmax.length; o++) {
            dx[argmax[o]] += dy[o];
        }
        return dx;
    }

    static double[] avgForward(Pool2dGeometry g, float[] x) {
        double[] y = new double[g.outputNumel()];
        forEachWindowCell(g, (o, i) -> y[o] += i >= 0 ? x[i] : 0.0);
        for (int o = 0; o < y.length; o++) {
            y[o] /= g.kernelH() * g.kernelW();
        }
        return y;
    }

    static double[] avgBackward(Pool2dGeometry g, float[] dy) {
        double[] dx = new double[g.inputNumel()];
        forEachWindowCell(g, (o, i) -> {
            if (i >= 0) {
                dx[i] += (double) dy[o] / (g.kernelH() * g.kernelW());
            }
        });
        return dx;
    }
}
