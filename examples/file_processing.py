"""File-processing: resize images, then read their centre pixels (sfini 0.1.0 example).

Pillow is imported inside the activities, so the definition loads without it.
"""

from __future__ import annotations

import pathlib

import sfini_cdk as sfini

# Define activities
activities = sfini.ActivityRegistration(prefix="sfiniActs")


@activities.smart_activity("resizeActivity")
def resize_activity(image_dir, resized_image_dir, new_size=(64, 64)):
    from PIL import Image

    image_dir = pathlib.Path(image_dir)
    resized_image_dir = pathlib.Path(resized_image_dir)
    for path in image_dir.iterdir():
        resized_path = resized_image_dir / path.relative_to(image_dir)
        print(f"Resizing image '{path}'")
        Image.open(path).resize(new_size).save(resized_path)


@activities.activity("getCentresActivity")
def get_centres_activity(resized_image_dir):
    from PIL import Image

    resized_image_dir = pathlib.Path(resized_image_dir)
    centres = []
    for path in resized_image_dir.iterdir():
        im = Image.open(path)
        centres.append(im.getpixel((im.size[0] // 2, im.size[1] // 2)))
    return centres


# Define state-machine
resize_images = sfini.Task("resizeImages", resize_activity, result_path=None)

get_centres = sfini.Task(
    "getCentre",
    get_centres_activity,
    comment="get pixel values of centres of images",
    input_path="$.resized_image_dir",
    result_path="$.res",
)
resize_images.goes_to(get_centres)

sm = sfini.construct_state_machine("sfiniSM", resize_images)


def make_sample_images(image_dir: pathlib.Path, resized_image_dir: pathlib.Path) -> None:
    """Draw four small solid-colour images to process (the seed pointed at ~/data/images/)."""
    from PIL import Image

    image_dir.mkdir(parents=True, exist_ok=True)
    resized_image_dir.mkdir(parents=True, exist_ok=True)
    colours = {"grey": (128, 128, 128), "lime": (128, 255, 0), "black": (0, 0, 0)}
    colours["blue"] = (0, 0, 255)
    for name, colour in colours.items():
        Image.new("RGB", (256, 192), colour).save(image_dir / f"{name}.png")


def example_input() -> dict:
    """The input of the example's run: four sample images drawn in a new temporary folder."""
    import tempfile

    workspace = pathlib.Path(tempfile.mkdtemp(prefix="sfini-images-"))
    image_dir, resized_image_dir = workspace / "images", workspace / "images-small"
    make_sample_images(image_dir, resized_image_dir)
    return {"image_dir": str(image_dir), "resized_image_dir": str(resized_image_dir)}


def main() -> None:
    """Register, run one execution with workers, print its output, clean up."""
    execution_input = example_input()

    # Register state-machine and activities
    activities.register()
    sm.register()

    # Start activity workers
    workers = [sfini.Worker(resize_activity), sfini.Worker(get_centres_activity)]
    [w.start() for w in workers]

    # Start execution
    execution = sm.start_execution(execution_input=execution_input)
    print(execution.name)

    # Wait for execution and print output
    execution.wait()
    print(execution.output)

    # Stop activity workers
    [w.end() for w in workers]
    [w.join() for w in workers]

    # Deregister state-machine and activities
    activities.deregister()
    sm.deregister()


if __name__ == "__main__":
    main()
