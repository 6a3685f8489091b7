// Progressive enhancement only: every form works without it.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;

  // Check fields as the person types, with the same words the server would use.
  function check(input) {
    var box = document.getElementById("e-" + input.name);
    if (!box) return;
    var value = input.value.trim();
    var message = "";
    if (input.required && !value && input.type !== "checkbox") {
      message = zh ? "必填" : "required";
    } else if (value && input.dataset.msgPattern && !/^[0-9]+$/.test(value.replace(/,/g, ""))) {
      message = input.dataset.msgPattern;
    } else if (value && input.dataset.min && Number(value) < Number(input.dataset.min)) {
      message = (zh ? "不能小于 " : "must be at least ") + input.dataset.min;
    } else if (value && input.dataset.max && Number(value) > Number(input.dataset.max)) {
      message = (zh ? "不能大于 " : "must be at most ") + input.dataset.max;
    }
    box.textContent = message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) input.setAttribute("aria-describedby", box.id); else input.removeAttribute("aria-describedby");
  }
  document.querySelectorAll("form[data-live-check] input, form[data-live-check] select, form[data-live-check] textarea").forEach(function (el) {
    el.addEventListener("input", function () { check(el); });
    el.addEventListener("blur", function () { check(el); });
  });

  // Upload with a progress bar; the stored SM3 is shown when the service answers.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file.files.length) return;
      event.preventDefault();
      var bar = form.querySelector("progress");
      var result = form.querySelector(".upload-result");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status === 201) {
          bar.value = 100;
          result.textContent = (zh ? "已上传：" : "Uploaded: ") + body.name + " v" + body.version + " · SM3 " + body.sm3;
          result.dataset.sm3 = body.sm3;
          setTimeout(function () { window.location.reload(); }, 1200);
        } else {
          result.textContent = (body.message || (zh ? "上传失败" : "Upload failed")) + (body.rule_ids && body.rule_ids.length ? "（" + body.rule_ids.join("、") + "）" : "");
        }
      });
      xhr.addEventListener("error", function () { result.textContent = zh ? "网络错误，请重试" : "Network error; please retry"; });
      xhr.send(new FormData(form));
    });
  });

  // Charts from the JSON the page carries; the tables below them hold the same figures.
  // Deferred scripts run in order and ECharts comes after this one: draw once everything loaded.
  window.addEventListener("load", function () {
  var data = document.getElementById("chart-data");
  if (data && window.echarts) {
    var charts = JSON.parse(data.textContent);
    var colors = ["#a3161a", "#0b4f9c", "#17632f", "#8a4b00", "#5b2a86", "#4a5563"];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.dataset.chart;
      var rows = charts[kind] || [];
      var chart = window.echarts.init(el);
      var option = { color: colors, tooltip: {}, grid: { left: 48, right: 16, top: 16, bottom: 48 },
        xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { rotate: rows.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: kind === "throughput" ? "line" : "bar", name: zh ? (kind === "throughput" ? "受理" : "项目数") : (kind === "throughput" ? "received" : "projects"),
                   data: rows.map(function (r) { return r[1]; }) }] };
      if (kind === "throughput") {
        option.series.push({ type: "line", name: zh ? "办结" : "decided", data: rows.map(function (r) { return r[2]; }) });
        option.legend = { bottom: 0 };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  });
})();
