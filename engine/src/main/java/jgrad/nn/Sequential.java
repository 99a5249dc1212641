package jgrad.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.tensor.Tensor;

/** Named layers applied in order; parameter names are prefixed with the layer name. */
public final class Sequential implements Module, AutoCloseable {
    private final LinkedHashMap<String, Module> layers;

    public Sequential(LinkedHashMap<String, Module> layers) {
        this.layers = new LinkedHashMap<>(layers);
    }

    public Map<String, Module> layers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers.values()) {
            x = m.forward(x);
        }
        return x;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        layers.forEach((name, m) -> m.parameters().forEach(p -> out.add(p.prefixed(name))));
        return out;
    }

    @Override
    public List<Parameter> buffers() {
        List<Parameter> out = new ArrayList<>();
        layers.forEach((name, m) -> m.buffers().forEach(p -> out.add(p.prefixed(name))));
        return out;
    }

    /**
     * Releases every parameter (with its gradient) and buffer back to its device pool. The CPU
     * leaves this to the garbage collector; device memory is only returned this way.
     */
    @Override
    public void close() {
        for (Parameter p : parameters()) {
            p.tensor().close();
        }
        for (Parameter p : buffers()) {
            p.tensor().close();
        }
    }

    @Override
    public Map<String, Long> randomState() {
        Map<String, Long> out = new LinkedHashMap<>();
        layers.forEach((name, m) -> m.randomState().forEach((k, v) -> out.put(name + "." + k, v)));
        return out;
    }

    @Override
    public void restoreRandomState(Map<String, Long> state) {
        layers.forEach((name, m) -> {
            Map<String, Long> mine = new LinkedHashMap<>();
            state.forEach((k, v) -> {
                if (k.startsWith(name + ".")) {
                    mine.put(k.substring(name.length() + 1), v);
                }
            });
            if (!mine.isEmpty()) {
                m.restoreRandomState(mine);
            }
        });
    }

    @Override
    public void train(boolean training) {
        layers.values().forEach(m -> m.train(training));
    }
}
