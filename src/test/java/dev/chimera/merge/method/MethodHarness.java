package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs one merge method on small float arrays, filling defaults like the planner does. */
final class MethodHarness implements AutoCloseable {
    final NDManager manager = NDManager.newBaseManager("PyTorch");

    float[] run(
            String method,
            List<float[]> xs,
            long[] shape,
            int baseIndex,
            Map<String, Object> global,
            List<Map<String, Object>> perInput,
            String tensorName,
            boolean embed) {
        return run(method, xs, List.of(), shape, baseIndex, global, perInput, tensorName, embed, 0);
    }

    float[] run(
            String method,
            List<float[]> xs,
            List<long[]> shapes,
            long[] shape,
            int baseIndex,
            Map<String, Object> global,
            List<Map<String, Object>> perInput,
            String tensorName,
            boolean embed,
            long seed) {
        MergeMethod m = MergeMethods.get(method);
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> arrays = new ArrayList<>();
            List<String> models = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                long[] s = shapes.isEmpty() ? shape : shapes.get(i);
                arrays.add(scope.create(xs.get(i), new Shape(s)));
                models.add("m" + i);
            }
            Params g = new Params(withDefaults(m.globalParams(), global), "");
            List<Params> p = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                p.add(new Params(withDefaults(m.tensorParams(), perInput.isEmpty() ? Map.of() : perInput.get(i)), ""));
            }
            m.validate(g, p, models, baseIndex);
            NDArray out = m.merge(new MergeInput(
                    tensorName, embed, arrays, models, baseIndex, g, p, new TensorRandom(seed, tensorName), scope));
            return out.toFloatArray();
        }
    }

    static Map<String, Object> withDefaults(List<ParamDef> defs, Map<String, Object> given) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamDef d : defs) {
            out.put(d.name(), given.containsKey(d.name()) ? given.get(d.name()) : d.defaultValue());
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
