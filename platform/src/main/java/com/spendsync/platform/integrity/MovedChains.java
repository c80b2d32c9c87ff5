package com.spendsync.platform.integrity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chains this process appended to since its last seal, each with its newest head: filled by every append, taken
 * by the sealer, and handed back if a seal could not be stored. An append costs one map update; no append waits for
 * a seal.
 */
public final class MovedChains {

    private final Map<String, Seal.SealedHead> heads = new ConcurrentHashMap<>();

    void moved(String chain, long position, String hash) {
        heads.merge(chain, new Seal.SealedHead(chain, position, hash), MovedChains::newer);
    }

    /** The heads moved since the last take, which are removed. */
    List<Seal.SealedHead> take() {
        Map<String, Seal.SealedHead> taken = new HashMap<>();
        for (String chain : List.copyOf(heads.keySet())) {
            Seal.SealedHead head = heads.remove(chain);
            if (head != null) {
                taken.put(chain, head);
            }
        }
        return List.copyOf(taken.values());
    }

    /** Heads taken for a seal that was not stored: they wait for the next one, unless newer ones came meanwhile. */
    void giveBack(List<Seal.SealedHead> taken) {
        taken.forEach(head -> heads.merge(head.chain(), head, MovedChains::newer));
    }

    private static Seal.SealedHead newer(Seal.SealedHead a, Seal.SealedHead b) {
        return b.position() >= a.position() ? b : a;
    }
}
