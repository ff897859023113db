# Zero-shot classification, CLIP style (EQ MM1.4), with hand-made embeddings.
# Each axis of the toy 5-d space stands for a rough concept; a real CLIP learns
# hundreds of unnamed axes. Normalise, take cosines, pick the best caption.
# Break it on purpose: nudge the photo towards "cat", add a caption, change TAU.
import numpy as np

AXES = ("animal", "feline", "canine", "vehicle", "outdoors")
TAU = 0.07          # temperature: smaller means a sharper, more confident softmax


def unit(v):
    return v / np.linalg.norm(v)


def cosine(a, b):
    return float(unit(a) @ unit(b))


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


# pretend output of the image encoder for a photo of a dog in a park
photo = np.array([0.8, 0.1, 0.9, 0.0, 0.5])

# pretend outputs of the text encoder for the candidate prompts
prompts = {
    "a photo of a dog": np.array([0.7, 0.0, 1.0, 0.0, 0.2]),
    "a photo of a cat": np.array([0.7, 1.0, 0.1, 0.0, 0.1]),
    "a photo of a bus": np.array([0.0, 0.0, 0.0, 1.0, 0.4]),
    "a photo of a mountain": np.array([0.0, 0.0, 0.0, 0.1, 1.0]),
}

labels = list(prompts)
sims = np.array([cosine(photo, prompts[t]) for t in labels])
probs = softmax(sims / TAU)

print(f"{'caption':<24}{'cosine':>8}{'p(zero-shot)':>15}")
for i in np.argsort(-sims):
    print(f"{labels[i]:<24}{sims[i]:>8.3f}{probs[i]:>15.3f}")

best = labels[int(np.argmax(sims))]
print(f"\nprediction: {best!r}  (no classifier was trained; the labels are just text)")
