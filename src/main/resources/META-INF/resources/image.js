/*
 * The image page of an explanation: input, heatmap and overlay side by side on one zoom, the colour bar in relevance
 * units, the outline of the pixels holding a chosen share of the positive relevance, and the top pixels.
 *
 * Layout: the relevance tensor has the input's shape. Leading axes of size 1 are dropped while more than three axes
 * remain (the batch axis); two axes are [height, width] (one channel); of three axes [a, b, c], a of 1 or 3 means
 * channels first (NCHW, ONNX's and PyTorch's convention, also chosen when both a and c are 1 or 3), else c of 1 or 3
 * means channels last (NHWC, Keras/TensorFlow). Relevance is summed over channels per pixel; the input is shown in
 * colour for 3 channels and in grey otherwise, min-max scaled over all its values.
 */
const LrpImage = (() => {
  /** Largest height or width drawn. */
  const MAX_SIDE = 512;
  /** Opacity of the relevance colour at |R| = max|R| over the grey input (the input always shows through). */
  const OVERLAY_OPACITY = 0.6;
  const TOP_PIXELS = 10;
  const number = (value) => value.toExponential(3);

  /** The image layout of a shape, or null when it is not an image of one or three channels up to 512 x 512. */
  function layout(shape) {
    const dims = shape.map(Number);
    while (dims.length > 3 && dims[0] === 1) dims.shift();
    let result = null;
    if (dims.length === 2) {
      result = { channels: 1, height: dims[0], width: dims[1], channelsLast: false };
    } else if (dims.length === 3 && (dims[0] === 1 || dims[0] === 3)) {
      result = { channels: dims[0], height: dims[1], width: dims[2], channelsLast: false };
    } else if (dims.length === 3 && (dims[2] === 1 || dims[2] === 3)) {
      result = { channels: dims[2], height: dims[0], width: dims[1], channelsLast: true };
    }
    if (!result || result.height < 2 || result.width < 2) return null;
    result.tooLarge = result.height > MAX_SIDE || result.width > MAX_SIDE;
    result.describe = (result.channels === 1 ? '1 channel' : '3 channels') + ', ' + result.height + ' × '
      + result.width + (dims.length === 2 ? ' ([height, width])' : result.channelsLast
        ? ' (channels last, NHWC: the last axis has ' + result.channels + ')'
        : ' (channels first, NCHW: the first axis has ' + result.channels + ')');
    return result;
  }

  /** The value of IEEE 754 half-precision bits (FLOAT16 relevance): subnormals, infinities and NaN included. */
  function half(bits) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) return sign * mantissa * 2 ** -24;
    if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
    return sign * (1024 + mantissa) * 2 ** (exponent - 25);
  }

  /** The values of a tensor answered as {dtype, shape, values} or, with ?tensors=base64, {dtype, shape, data}. */
  function values(tensor) {
    if (tensor.values) return tensor.values;
    const text = atob(tensor.data);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    if (littleEndian && tensor.dtype === 'FLOAT32') return new Float32Array(bytes.buffer);
    if (littleEndian && tensor.dtype === 'FLOAT64') return new Float64Array(bytes.buffer);
    const view = new DataView(bytes.buffer);
    const size = { FLOAT16: 2, FLOAT32: 4, FLOAT64: 8, INT32: 4, INT64: 8 }[tensor.dtype];
    const result = new Float64Array(bytes.length / size);
    for (let i = 0; i < result.length; i++) {
      const at = i * size;
      result[i] = tensor.dtype === 'FLOAT16' ? half(view.getUint16(at, true))
        : tensor.dtype === 'FLOAT32' ? view.getFloat32(at, true) : tensor.dtype === 'FLOAT64'
        ? view.getFloat64(at, true) : tensor.dtype === 'INT32' ? view.getInt32(at, true)
          : Number(view.getBigInt64(at, true));
    }
    return result;
  }

  /** Value of channel c at pixel p (C order) in the layout. */
  const at = (values, geometry, pixel, channel) => geometry.channelsLast
    ? values[pixel * geometry.channels + channel]
    : values[channel * geometry.height * geometry.width + pixel];

  const finite = (value) => (typeof value === 'number' ? Number.isFinite(value) : Number.isFinite(Number(value)))
    ? Number(value) : 0;

  /** Relevance per pixel, summed over the channels (non-finite values count as 0, as in the service's scale). */
  function pixelRelevance(values, geometry) {
    const plane = geometry.height * geometry.width;
    const channels = geometry.channels;
    const sums = new Float64Array(plane);
    for (let i = 0; i < values.length; i++) {
      const value = typeof values[i] === 'number' ? values[i] : Number(values[i]);
      if (Number.isFinite(value)) sums[geometry.channelsLast ? Math.floor(i / channels) : i % plane] += value;
    }
    return sums;
  }

  /** The heatmap colour of the service (DivergingColors): white at 0, red at +scale, blue at -scale. */
  function colour(relevance, scale, rgb = [0, 0, 0]) {
    const t = scale > 0 ? Math.max(-1, Math.min(1, relevance / scale)) : 0;
    const fade = Math.round(255 * (1 - Math.abs(t)));
    rgb[0] = t >= 0 ? 255 : fade; rgb[1] = fade; rgb[2] = t >= 0 ? fade : 255;
    return rgb;
  }

  /** The input as RGB bytes per pixel (grey repeated for one channel) and its grey level, min-max scaled. */
  function inputPixels(values, geometry) {
    const plane = geometry.height * geometry.width;
    let low = Infinity, high = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const x = finite(values[i]);
      if (x < low) low = x;
      if (x > high) high = x;
    }
    const range = high > low ? high - low : 0;
    const unit = (x) => range > 0 ? (finite(x) - low) / range : 0.5;
    const rgb = new Uint8ClampedArray(plane * 3);
    const grey = new Float64Array(plane);
    const colourful = geometry.channels === 3;
    for (let pixel = 0; pixel < plane; pixel++) {
      const r = unit(at(values, geometry, pixel, 0));
      const g = colourful ? unit(at(values, geometry, pixel, 1)) : r;
      const b = colourful ? unit(at(values, geometry, pixel, 2)) : r;
      rgb[pixel * 3] = Math.round(255 * r); rgb[pixel * 3 + 1] = Math.round(255 * g);
      rgb[pixel * 3 + 2] = Math.round(255 * b);
      grey[pixel] = colourful ? 0.299 * r + 0.587 * g + 0.114 * b : r;
    }
    return { rgb, grey };
  }

  /** Paints a canvas of the image's size; pixelColour(pixel, rgb) writes the pixel's colour into rgb. */
  function paint(canvas, geometry, pixelColour) {
    canvas.width = geometry.width;
    canvas.height = geometry.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const image = context.createImageData(geometry.width, geometry.height);
    const rgb = [0, 0, 0];
    for (let pixel = 0; pixel < geometry.width * geometry.height; pixel++) {
      pixelColour(pixel, rgb);
      image.data[pixel * 4] = rgb[0]; image.data[pixel * 4 + 1] = rgb[1]; image.data[pixel * 4 + 2] = rgb[2];
      image.data[pixel * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  /** The positive pixel values in descending order, and their sum. */
  function ranking(pixels) {
    const positives = pixels.filter((value) => value > 0).sort().reverse();
    let positive = 0;
    for (const value of positives) positive += value;
    return { values: positives, positive };
  }

  /**
   * The most relevant pixels whose relevance reaches share of the positive relevance: all pixels at or above the
   * smallest value of the fewest largest values that reach it (ties at that value included).
   */
  function topRegion(pixels, rank, share) {
    const mask = new Uint8Array(pixels.length);
    let sum = 0, threshold = Infinity;
    for (const value of rank.values) {
      if (sum >= share * rank.positive) break;
      sum += value; threshold = value;
    }
    let count = 0, held = 0;
    for (let pixel = 0; pixel < pixels.length; pixel++) {
      if (pixels[pixel] > 0 && pixels[pixel] >= threshold) { mask[pixel] = 1; count++; held += pixels[pixel]; }
    }
    return { mask, count, sum: held };
  }

  /** An SVG path along the border of the mask (pixel units), edges on one line merged into runs. */
  function outlinePath(mask, geometry) {
    const { width, height } = geometry;
    const inside = (row, col) => row >= 0 && col >= 0 && row < height && col < width && mask[row * width + col] === 1;
    const parts = [];
    for (let y = 0; y <= height; y++) {
      let start = -1;
      for (let col = 0; col <= width; col++) {
        const edge = col < width && inside(y - 1, col) !== inside(y, col);
        if (edge && start < 0) start = col;
        if (!edge && start >= 0) { parts.push('M' + start + ' ' + y + 'h' + (col - start)); start = -1; }
      }
    }
    for (let x = 0; x <= width; x++) {
      let start = -1;
      for (let row = 0; row <= height; row++) {
        const edge = row < height && inside(row, x - 1) !== inside(row, x);
        if (edge && start < 0) start = row;
        if (!edge && start >= 0) { parts.push('M' + x + ' ' + start + 'v' + (row - start)); start = -1; }
      }
    }
    return parts.join('');
  }

  function drawColourBar(scale) {
    const bar = document.getElementById('image-colour-bar-gradient');
    bar.width = 256; bar.height = 1;
    const context = bar.getContext('2d');
    const image = context.createImageData(256, 1);
    for (let x = 0; x < 256; x++) {
      const [r, g, b] = colour(-1 + 2 * x / 255, 1);
      image.data.set([r, g, b, 255], x * 4);
    }
    context.putImageData(image, 0, 0);
    const low = document.getElementById('image-colour-bar-low');
    const high = document.getElementById('image-colour-bar-high');
    low.textContent = number(-scale);
    high.textContent = number(scale);
    low.dataset.value = String(-scale);
    high.dataset.value = String(scale);
  }

  /** The indices of the count pixels of largest |relevance|, largest first (one pass, no full sort). */
  function largest(pixels, count) {
    const chosen = [];
    for (let pixel = 0; pixel < pixels.length; pixel++) {
      const size = Math.abs(pixels[pixel]);
      if (chosen.length === count && size <= Math.abs(pixels[chosen[count - 1]])) continue;
      let at = chosen.length === count ? count - 1 : chosen.length;
      while (at > 0 && Math.abs(pixels[chosen[at - 1]]) < size) { chosen[at] = chosen[at - 1]; at--; }
      chosen[at] = pixel;
    }
    return chosen;
  }

  function listTopPixels(pixels, geometry) {
    const order = largest(pixels, TOP_PIXELS);
    const rows = document.querySelector('#top-pixels tbody');
    rows.replaceChildren();
    order.slice(0, TOP_PIXELS).forEach((pixel, rank) => {
      const row = document.createElement('tr');
      [rank + 1, Math.floor(pixel / geometry.width), pixel % geometry.width, number(pixels[pixel])].forEach((value) => {
        const cell = document.createElement('td');
        cell.className = 'number';
        cell.textContent = String(value);
        row.appendChild(cell);
      });
      rows.appendChild(row);
    });
  }

  /**
   * Draws the image page of an explanation whose relevance has an image layout; input is a promise of the source
   * event's input tensor (or of an error message). Returns false when not an image.
   */
  async function draw(explanation, input) {
    const geometry = layout(explanation.relevance.shape);
    if (!geometry) return false;
    const section = document.getElementById('image-page');
    section.hidden = false;
    document.getElementById('image-layout').textContent = 'Input ' + geometry.describe + '.';
    if (geometry.tooLarge) {
      document.getElementById('image-status').textContent = 'Not drawn: the view draws images up to ' + MAX_SIDE
        + ' × ' + MAX_SIDE + '.';
      return true;
    }
    const pixels = pixelRelevance(values(explanation.relevance), geometry);
    let scale = 0;
    for (const value of pixels) scale = Math.max(scale, Math.abs(value));
    paint(document.getElementById('heatmap-canvas'), geometry, (pixel, rgb) => colour(pixels[pixel], scale, rgb));
    performance.mark('lrp-image-heatmap-drawn');
    drawColourBar(scale);
    listTopPixels(pixels, geometry);
    const rank = ranking(pixels);
    const outlines = Array.from(document.querySelectorAll('#image-page svg.outline'));
    const share = document.getElementById('outline-share');
    const drawOutline = () => {
      const wanted = Number(share.value) / 100;
      const region = topRegion(pixels, rank, wanted);
      const path = outlinePath(region.mask, geometry);
      outlines.forEach((svg) => {
        svg.setAttribute('viewBox', '0 0 ' + geometry.width + ' ' + geometry.height);
        svg.querySelector('path').setAttribute('d', path);
      });
      document.getElementById('outline-summary').textContent = rank.positive > 0
        ? region.count + ' of ' + pixels.length + ' pixels (' + (100 * region.count / pixels.length).toFixed(1)
          + '%) hold ' + (100 * region.sum / rank.positive).toFixed(1) + '% of the positive relevance'
        : 'no positive relevance';
    };
    share.addEventListener('input', drawOutline);
    drawOutline();
    const zoom = document.getElementById('zoom');
    const fit = Math.max(1, Math.floor(320 / Math.max(geometry.width, geometry.height)));
    zoom.replaceChildren();
    [1, 2, 4, 8, 16, 32, 64].filter((factor) => factor * Math.max(geometry.width, geometry.height) <= 4096)
      .concat(fit).filter((factor, index, all) => all.indexOf(factor) === index).sort((a, b) => a - b)
      .forEach((factor) => {
        const option = document.createElement('option');
        option.value = String(factor);
        option.textContent = factor + '×' + (factor === fit ? ' (fit)' : '');
        zoom.appendChild(option);
      });
    zoom.value = String(fit);
    const applyZoom = () => {
      const factor = Number(zoom.value);
      document.querySelectorAll('#image-page .stack').forEach((stack) => {
        stack.style.width = geometry.width * factor + 'px';
        stack.style.height = geometry.height * factor + 'px';
      });
    };
    zoom.addEventListener('change', applyZoom);
    document.querySelectorAll('#image-page .stack').forEach((stack) => stack.addEventListener('click', () => {
      zoom.selectedIndex = (zoom.selectedIndex + 1) % zoom.options.length;
      applyZoom();
    }));
    document.querySelectorAll('#image-page .stack').forEach((stack) => stack.addEventListener('mousemove', (move) => {
      const box = stack.getBoundingClientRect();
      const col = Math.floor((move.clientX - box.left) / box.width * geometry.width);
      const row = Math.floor((move.clientY - box.top) / box.height * geometry.height);
      if (row < 0 || col < 0 || row >= geometry.height || col >= geometry.width) return;
      document.getElementById('pixel-readout').textContent = '(row ' + row + ', col ' + col + '): relevance '
        + number(pixels[row * geometry.width + col]);
    }));
    applyZoom();
    performance.mark('lrp-image-outline-drawn');
    const source = await input;
    const status = document.getElementById('image-status');
    if (source.message) {
      status.textContent = 'Input not shown: ' + source.message;
      return true;
    }
    const count = geometry.channels * geometry.height * geometry.width;
    const inputValues = values(source);
    if (inputValues.length !== count) {
      status.textContent = 'Input not shown: expected ' + count + ' values, found ' + inputValues.length;
      return true;
    }
    const picture = inputPixels(inputValues, geometry);
    paint(document.getElementById('input-canvas'), geometry, (pixel, rgb) => {
      rgb[0] = picture.rgb[pixel * 3]; rgb[1] = picture.rgb[pixel * 3 + 1]; rgb[2] = picture.rgb[pixel * 3 + 2];
    });
    paint(document.getElementById('overlay-canvas'), geometry, (pixel, rgb) => {
      const base = 255 * picture.grey[pixel];
      const opacity = scale > 0 ? OVERLAY_OPACITY * Math.min(1, Math.abs(pixels[pixel]) / scale) : 0;
      colour(pixels[pixel], scale, rgb);
      for (let k = 0; k < 3; k++) rgb[k] = Math.round(opacity * rgb[k] + (1 - opacity) * base);
    });
    return true;
  }

  return { draw, layout, values };
})();
