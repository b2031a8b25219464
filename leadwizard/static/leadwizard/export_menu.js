/*
 * The export menu's column order with JavaScript: the up/down buttons move the
 * row at once instead of posting the form back, and the position numbers are
 * renumbered to match, so the server reads the same order either way. Without
 * JavaScript the buttons post the form and the server moves the column.
 */
(function () {
    "use strict";

    function renumber(body) {
        const rows = Array.from(body.querySelectorAll("tr[data-leadwizard-column]"));
        rows.forEach(function (row, index) {
            row.querySelector("[data-leadwizard-position]").value = String(index + 1);
            row.querySelector('[data-leadwizard-move="up"]').disabled = index === 0;
            row.querySelector('[data-leadwizard-move="down"]').disabled = index === rows.length - 1;
        });
    }

    function setUp(table) {
        const body = table.tBodies[0];
        table.addEventListener("click", function (event) {
            const button = event.target.closest("[data-leadwizard-move]");
            if (!button || !table.contains(button)) {
                return;
            }
            event.preventDefault();
            const row = button.closest("tr");
            const up = button.dataset.leadwizardMove === "up";
            const other = up ? row.previousElementSibling : row.nextElementSibling;
            if (!other) {
                return;
            }
            body.insertBefore(row, up ? other : other.nextElementSibling);
            renumber(body);
            // Keep the focus on the moved column's button (or its other one at the ends).
            const same = row.querySelector('[data-leadwizard-move="' + (up ? "up" : "down") + '"]');
            (same.disabled ? row.querySelector('[data-leadwizard-move="' + (up ? "down" : "up") + '"]') : same).focus();
        });
        // A typed position reorders the rows when the field is left.
        table.addEventListener("change", function (event) {
            if (!event.target.matches("[data-leadwizard-position]")) {
                return;
            }
            const rows = Array.from(body.querySelectorAll("tr[data-leadwizard-column]"));
            const places = rows.map(function (row, index) {
                const value = parseFloat(row.querySelector("[data-leadwizard-position]").value);
                // The edited row goes before a row that had that number already.
                const moved = row.contains(event.target) ? -0.5 : 0;
                return { row: row, place: (Number.isNaN(value) ? index + 1 : value) + moved, index: index };
            });
            places.sort(function (a, b) {
                return a.place - b.place || a.index - b.index;
            });
            places.forEach(function (item) {
                body.appendChild(item.row);
            });
            renumber(body);
        });
    }

    document.querySelectorAll("[data-leadwizard-columns]").forEach(setUp);
})();
