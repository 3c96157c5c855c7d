import dev.loupe.core.lora.LoraSpec;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

/** Loupe's logits for the same tokens, compared with llama.cpp's dump: max |diff| / max |logit|, and argmax agreement. */
public class LoupeLogits {
    public static void main(String[] a) throws Exception {
        Path model = Path.of(a[0]);
        List<LoraSpec> specs = a[1].startsWith("-") ? List.of() : List.of(LoraSpec.parse(a[1]));
        int[] toks = Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray();
        FloatBuffer ref = ByteBuffer.wrap(Files.readAllBytes(Path.of(a[3]))).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        try (ThreadPool pool = new ThreadPool(2); Model m = Model.load(model, specs); Session s = new Session(m, 64, pool)) {
            int V = m.config().vocabSize();
            double worst = 0, range = 0; int argmaxAgree = 0;
            for (int t = 0; t < toks.length; t++) {
                float[] l = s.forward(toks[t], true);
                int bl = 0, br = 0;
                for (int j = 0; j < V; j++) {
                    float r = ref.get(t * V + j);
                    worst = Math.max(worst, Math.abs(l[j] - r));
                    range = Math.max(range, Math.abs(r));
                    if (l[j] > l[bl]) bl = j;
                    if (r > ref.get(t * V + br)) br = j;
                }
                if (bl == br) argmaxAgree++;
            }
            System.out.printf("%s vs %s: max|loupe - llama.cpp| = %.3e (range %.2f, relative %.2e), argmax agrees at %d/%d positions%n",
                    a[1], a[3], worst, range, worst / range, argmaxAgree, toks.length);
        }
    }
}
