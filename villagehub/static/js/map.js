// Progressive enhancement of the community map: the page works with the static SVG map and
// the list; this script offers an interactive map and loads Leaflet only when asked, so that
// visitors on a slow line do not pay for it.
(function () {
  "use strict";
  var holder = document.getElementById("interactive-map");
  var button = document.getElementById("map-toggle");
  if (!holder || !button) return;
  button.hidden = false;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (k) { element[k] = attributes[k]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function show(geojson) {
    var map = L.map(holder);
    var tiles = L.tileLayer(holder.dataset.tiles, {
      maxZoom: 18,
      attribution: holder.dataset.attribution
    }).addTo(map);
    // Where no tile server is reachable (an offline installation, a blocked host), the map
    // draws the same country outline as the static map instead of grey squares.
    var outlineShown = false;
    tiles.on("tileerror", function () {
      if (outlineShown) return;
      outlineShown = true;
      map.removeLayer(tiles);
      fetch(holder.dataset.outline).then(function (r) { return r.json(); }).then(function (outline) {
        L.geoJSON(outline, {
          style: { color: "#8a949c", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 },
          interactive: false
        }).addTo(map).bringToBack();
        holder.style.background = "#dbe9f4";
      });
    });
    var layer = L.geoJSON(geojson, {
      onEachFeature: function (feature, marker) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.name;
        marker.bindPopup(link);
        marker.options.title = feature.properties.name;
        marker.options.alt = feature.properties.name;
      }
    }).addTo(map);
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { maxZoom: 9, padding: [20, 20] });
    } else {
      map.setView([50, 10], 4);
    }
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    holder.hidden = false;
    var figure = document.getElementById("static-map");
    if (figure) figure.hidden = true;
    Promise.all([
      load("link", { rel: "stylesheet", href: holder.dataset.leafletCss }),
      load("script", { src: holder.dataset.leafletJs }),
      fetch(holder.dataset.geojson).then(function (r) { return r.json(); })
    ]).then(function (results) {
      show(results[2]);
      button.hidden = true;
    }).catch(function () {
      holder.hidden = true;
      if (figure) figure.hidden = false;
      button.disabled = false;
    });
  });
})();
