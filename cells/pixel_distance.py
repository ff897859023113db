# Raw pixels are a poor place to measure "same" and "different".
# We build a tiny grey-scale scene, then compare it with (a) the same scene under
# brighter light and (b) a scene holding a different object, using plain L2 distance.
# Break it on purpose: change LIGHT_BOOST, move the plus sign, or swap the distance.
import numpy as np

SIDE = 8            # the scene is SIDE x SIDE pixels
BACKGROUND = 0.10   # dim grey floor
INK = 0.70          # brightness of the object
LIGHT_BOOST = 0.30  # how much brighter the "same scene" is lit


def blank():
    return np.full((SIDE, SIDE), BACKGROUND)


def square_scene():
    scene = blank()
    scene[1:4, 1:4] = INK                 # a 3x3 square near the top-left
    return scene


def plus_scene():
    scene = blank()
    scene[5, 4:7] = INK                   # a small plus sign near the bottom-right
    scene[4:7, 5] = INK
    return scene


def l2(a, b):
    return float(np.linalg.norm(a - b))


def centred(img):
    # the simplest hand-made invariant: forget the overall brightness level
    return img - img.mean()


original = square_scene()
brighter = np.clip(original + LIGHT_BOOST, 0.0, 1.0)   # same square, more light
other = plus_scene()                                   # a different object entirely

d_light = l2(original, brighter)
d_object = l2(original, other)

print("raw-pixel L2 distance from the original square scene")
print(f"  same square, brighter light : {d_light:.3f}")
print(f"  a plus sign instead         : {d_object:.3f}")
verdict = "farther" if d_light > d_object else "closer"
print(f"-> the relit copy is {verdict} than a different object in pixel space\n")

print("after subtracting each image's mean brightness")
print(f"  same square, brighter light : {l2(centred(original), centred(brighter)):.3f}")
print(f"  a plus sign instead         : {l2(centred(original), centred(other)):.3f}")
print("-> one built-in invariance fixes lighting; learned features must cover")
print("   shifts, scale, viewpoint and clutter too, which no single formula does.")
