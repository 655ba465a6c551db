"""The lecture page's instruments, in a real browser against the real server: the network drawn live (zeros
initialization draws every unit of a layer alike, a link's value on hover, gradients instead of weights, a unit
enlarged, a wide net cut and said so), no dead ends (the Regularization group without data.mat trains on the
look-alike and says so; an invalid learning rate blocks Train beside its field; the zoom has a visible reset),
and links (?preset=NAME opens it; a link carries only what differs)."""

from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.e2e.test_a11y import serious_violations
from tests.e2e.test_page import assert_clean, open_page, status_is, text, wait_until

NETWORK = "document.querySelector('[data-view=network]')"
DIAGRAM = f"{NETWORK}.querySelector('canvas.diagram')"
# each drawn unit's pixels on the canvas, as a hash per unit, by layer (inside its border)
NODE_HASHES = f"""() => {{
  const canvas = {DIAGRAM};
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const context = canvas.getContext('2d');
  const layers = [];
  for (const node of canvas.layout.nodes) {{
    const inset = 3;
    const [x, y, side] = [node.x + inset, node.y + inset, node.size - 2 * inset].map((v) => Math.round(v * ratio));
    const pixels = context.getImageData(x, y, side, side).data;
    let hash = 2166136261;
    for (const byte of pixels) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
    (layers[node.layer] ??= []).push(hash);
  }}
  return layers;
}}"""
PICTURES = "window.trainlab.live.runs[0].network.layers.map((layer) => layer.pictures.map((p) => Array.from(p).join()))"


def finished_with_network(page, epochs: int) -> None:
    wait_until(page, status_is("done"), timeout=30_000)
    wait_until(page, f"{NETWORK}.dataset.epoch === '{epochs}'")


def point_of(page, link_index: int) -> tuple[float, float]:
    """The middle of a drawn link, in page coordinates."""
    box = page.locator("[data-view=network] canvas.diagram").bounding_box()
    x, y = page.evaluate(
        f"""(i) => {{
          const link = {DIAGRAM}.layout.links[i];
          const from = [link.from.x + link.from.size, link.from.y + link.from.size / 2];
          const to = [link.to.x, link.to.y + link.to.size / 2];
          return [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2];
        }}""",
        link_index,
    )
    return box["x"] + x, box["y"] + y


def test_the_network_is_drawn_live_and_zeros_initialization_draws_every_unit_alike(page, recorder, live_server):
    open_page(page, live_server, "?initialization=zeros&epochs=300&speed=max")
    assert page.evaluate(f"{DIAGRAM}.layout.nodes.length") == 2 + 10 + 5 + 1  # the shape, before training
    page.get_by_test_id("train").click()
    finished_with_network(page, 300)
    for layer in page.evaluate(PICTURES)[1:-1]:  # the frame's pictures: one and the same in each hidden layer
        assert len(set(layer)) == 1
    drawn = page.evaluate(NODE_HASHES)
    assert [len(layer) for layer in drawn] == [2, 10, 5, 1]
    assert all(len(set(layer)) == 1 for layer in drawn[1:-1])  # and so is what the canvas shows

    page.get_by_test_id("reset").click()
    page.get_by_test_id("toggle-controls").click()
    page.locator("[data-field=initialization]").select_option("he")
    page.get_by_test_id("train").click()
    finished_with_network(page, 300)
    # He breaks the symmetry; and the canvas draws two units alike exactly when the frame's pictures are alike
    # (a dead ReLU is a blank picture: two of them are alike)
    for hashes, pictures in zip(page.evaluate(NODE_HASHES)[1:-1], page.evaluate(PICTURES)[1:-1], strict=True):
        assert len(set(hashes)) > 1
        pairs = [(i, j) for i in range(len(hashes)) for j in range(i)]
        assert [hashes[i] == hashes[j] for i, j in pairs] == [pictures[i] == pictures[j] for i, j in pairs]

    # a link's value on hover, the gradient's with "Gradients"
    x, y = point_of(page, 0)
    page.mouse.move(x, y)
    tip = page.locator("[data-view=network] .tip")
    expect(tip).to_be_visible()
    weight = page.evaluate("window.trainlab.live.runs[0].network.weights[0][0][0]")
    shown = page.evaluate(f"Number({weight!r}.toPrecision(3)).toString().replace('-', '−')")
    expect(tip).to_have_text(f"W1[1,1] = {shown} (input x₁ → layer 1, unit 1)")
    page.get_by_test_id("show-gradients").check()
    page.mouse.move(x + 1, y)
    expect(tip).to_contain_text("dJ/dW1[1,1] = ")

    # a click on a unit shows its picture large
    node = page.evaluate(f"(({{x, y, size}}) => [x + size / 2, y + size / 2])({DIAGRAM}.layout.nodes[3])")
    box = page.locator("[data-view=network] canvas.diagram").bounding_box()
    page.mouse.click(box["x"] + node[0], box["y"] + node[1])
    zoomed = page.get_by_test_id("unit-zoom")
    expect(zoomed).to_be_visible()
    expect(zoomed).to_contain_text("layer 1, unit 2, over the input plane")
    assert serious_violations(page) == []  # the diagram, its large unit, the diagnosis line
    zoomed.get_by_role("button").click()
    expect(zoomed).to_be_hidden()
    assert_clean(recorder)


def test_a_net_too_wide_to_draw_says_so_and_draws_its_first_units(page, recorder, live_server):
    open_page(page, live_server, "?hidden_layers=64,3&epochs=200&speed=max")
    page.get_by_test_id("train").click()
    finished_with_network(page, 200)
    expect(page.get_by_test_id("network-note")).to_have_text(
        "Too wide to draw legibly (64 units): the first 20 units of each layer are drawn."
    )
    assert [len(layer) for layer in page.evaluate(NODE_HASHES)] == [2, 20, 3, 1]
    assert_clean(recorder)


def test_the_regularization_group_without_data_mat_trains_on_the_look_alike_and_says_so(page, recorder, live_server):
    open_page(page, live_server, "?compare=regularization&speed=200")
    page.get_by_test_id("compare-group-regularization").click()
    wait_until(page, "window.trainlab.live.runs.every((run) => run.epoch >= 100)")
    runs = page.evaluate("window.trainlab.live.runs.map((run) => [run.name, run.status, run.config.dataset])")
    assert runs == [
        ["No regularization", "running", "football-lookalike"],
        ["L2 regularization", "running", "football-lookalike"],
        ["Dropout", "running", "football-lookalike"],
    ]
    assert text(page, "notice") == (
        "This server has no copy of the course's football data (data.mat), so these runs train on "
        "football-lookalike, a generated stand-in: the course's numbers are not expected."
    )
    expect(page.get_by_test_id("table-note")).to_have_text(
        "Trained on football-lookalike, not the course's data: the course's numbers are not expected."
    )
    assert serious_violations(page) == []
    page.get_by_test_id("reset").click()

    page.get_by_test_id("mode-single").click()  # one preset of the group, the same way
    page.get_by_test_id("toggle-controls").click()
    page.get_by_test_id("preset").select_option("reg-l2")
    # drawn at the next animation frame: waited for, not read at once
    expect(page.locator("[data-field=dataset]")).to_have_value("football-lookalike")
    expect(page.locator("[data-field=l2_lambda]")).to_have_value("0.7")
    expect(page.get_by_test_id("notice")).to_contain_text("football-lookalike")
    assert_clean(recorder)


def test_an_invalid_learning_rate_blocks_train_beside_its_field(page, recorder, live_server):
    open_page(page, live_server)
    rate = page.locator("[data-field=learning_rate]")
    rate.fill("500")
    label = page.locator("label:has([data-field=learning_rate])")
    expect(label).to_have_attribute("data-error", "must be ≤ 100")
    requests = []
    page.on("request", lambda request: "/api/runs" in request.url and requests.append(request.url))
    page.get_by_test_id("train").click()
    wait_until(page, "document.getElementById('notice').textContent.length > 0")
    assert text(page, "notice") == "Not started — fix first: learning_rate: must be ≤ 100"
    assert requests == [] and page.evaluate("window.trainlab.live.runs.length") == 0  # nothing else trains either
    assert rate.input_value() == "500"  # what was typed stays, with its message

    rate.fill("0.05")
    expect(label).not_to_have_attribute("data-error", "must be ≤ 100")
    page.get_by_test_id("step").click()
    wait_until(page, status_is("paused"))
    assert page.evaluate("window.trainlab.live.runs[0].config.learning_rate") == 0.05
    assert_clean(recorder)


def test_a_preset_link_opens_it_and_links_carry_only_what_differs(page, recorder, live_server):
    open_page(page, live_server, "?preset=init-zeros")
    assert page.evaluate("window.trainlab.settings.initialization") == "zeros"
    assert page.get_by_test_id("preset").input_value() == "init-zeros"
    assert page.locator("#preset option:checked").text_content() == "Zeros initialization"  # the slug, in links only
    assert urlparse(page.url).query == "preset=init-zeros"
    page.locator("[data-field=learning_rate]").fill("0.05")
    page.wait_for_url("**?preset=init-zeros&learning_rate=0.05")

    open_page(page, live_server, "?epochs=500&speed=max")
    assert urlparse(page.url).query == "epochs=500&speed=max"  # not every field: short enough for a slide
    open_page(page, live_server, "?preset=nonesuch")
    expect(page.get_by_test_id("notice")).to_contain_text("preset: no preset is called “nonesuch”")
    assert_clean(recorder)


def test_a_zoomed_boundary_has_a_visible_way_back(page, recorder, live_server):
    open_page(page, live_server, "?epochs=300&speed=max")
    page.get_by_test_id("train").click()
    wait_until(page, f"{status_is('done')} && document.querySelector('[data-view=boundary]').dataset.epoch === '300'")
    reset = page.get_by_test_id("reset-zoom")
    expect(reset).to_be_hidden()
    box = page.locator("[data-view=boundary] canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx + 3, cy + 3)  # a twitch is not a zoom
    page.mouse.down()
    page.mouse.move(cx + 6, cy + 5)
    page.mouse.up()
    assert page.evaluate("window.trainlab.ui.zoom") is None
    page.mouse.move(cx - 80, cy - 80)
    page.mouse.down()
    page.mouse.move(cx + 80, cy + 60, steps=4)
    page.mouse.up()
    expect(reset).to_be_visible()
    zoom = page.evaluate("window.trainlab.ui.zoom")
    whole = page.evaluate("(b => [b.x_min, b.x_max, b.y_min, b.y_max])(window.trainlab.live.runs[0].boundary)")
    assert whole[0] < zoom[0] < zoom[1] < whole[1] and whole[2] < zoom[2] < zoom[3] < whole[3]
    # all of the page's state is one serialisable object (no DOM in it, no cycles): runs, frames, the zoom
    copy = page.evaluate("JSON.parse(JSON.stringify(window.trainlab))")
    assert copy["ui"]["zoom"] == zoom and copy["live"]["runs"][0]["network"]["epoch"] == 300
    assert copy["settings"] == page.evaluate("window.trainlab.settings")
    reset.click()
    expect(reset).to_be_hidden()
    assert page.evaluate("window.trainlab.ui.zoom") is None
    assert_clean(recorder)
