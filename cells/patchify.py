# From picture to token sequence: the only image-specific step of a ViT (EQ MM1.2).
# A toy 8x8 RGB image is cut into 4x4 patches, each patch is flattened, projected by
# one shared matrix E, a [CLS] token is put in front and positions are added.
# Break it on purpose: try P = 2 or P = 3 (does 3 tile 8?), or a non-square image.
import numpy as np

H, W, C = 8, 8, 3   # toy image (a real ViT-B/16 uses 224 x 224 x 3)
P = 4               # patch side (ViT-B/16 uses 16)
D = 6               # model width (ViT-B uses 768)

rng = np.random.default_rng(7)
image = np.arange(H * W * C, dtype=float).reshape(H, W, C)   # readable pixel values

assert H % P == 0 and W % P == 0, "the patch size must tile the image exactly"
rows, cols = H // P, W // P

# walk the grid row by row, left to right; flatten each P x P x C block
tokens = []
for r in range(rows):
    for c in range(cols):
        block = image[r * P:(r + 1) * P, c * P:(c + 1) * P, :]
        tokens.append(block.reshape(-1))
patches = np.stack(tokens)                       # (N, P*P*C)

E = rng.normal(scale=0.02, size=(P * P * C, D))  # shared linear patch embedding
cls = rng.normal(scale=0.02, size=(1, D))        # learnable [CLS] token
pos = rng.normal(scale=0.02, size=(rows * cols + 1, D))  # learned positions

z0 = np.concatenate([cls, patches @ E]) + pos    # the encoder's input sequence

print(f"image                 {image.shape}")
print(f"patch grid            {rows} x {cols} = {rows * cols} patches")
print(f"flattened patches     {patches.shape}   (N, P*P*C)")
print(f"first patch starts    {patches[0][:6]} ...")
print(f"after projection E    {(patches @ E).shape}   (N, D)")
print(f"with [CLS] + position {z0.shape}   (N + 1, D)")

# the same bookkeeping for the standard ViT-B/16 setting
side, patch = 224, 16
n = (side // patch) ** 2
print(f"\nViT-B/16 at {side} px : {side // patch} x {side // patch} grid = {n} patches")
print(f"  values per patch    {patch * patch * 3}")
print(f"  sequence with [CLS] {n + 1} tokens")
print(f"  attention entries   N^2 = {n * n:,}")
