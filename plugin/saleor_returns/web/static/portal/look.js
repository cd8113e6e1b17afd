// The store's look (storeLook): its name, logo and accent colour in the header, and a link back to the shop.
import { h, mount } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { gql, STORE_LOOK } from "./api.js";

const applied = new Set();

/** Fetch and apply the look of `channel` once per page; failures leave the plain look. */
export async function applyLook(channel) {
  if (!channel || applied.has(channel)) return;
  applied.add(channel);
  try {
    const { storeLook } = await gql(STORE_LOOK, { channel });
    show(storeLook);
  } catch {
    // the page works without it
  }
}

function show(look) {
  const brand = document.querySelector("[data-brand]");
  const name = look.name || t("portal.brand");
  if (brand && (look.name || look.logoUrl)) {
    const logo = look.logoUrl ? h("img", { class: "brand-logo", src: look.logoUrl, alt: "" }) : null;
    mount(brand, logo, h("span", { class: "brand-name" }, name));
    brand.setAttribute("aria-label", t("portal.brandLabel", { name }));
  }
  if (look.accentColor) { // checked on the server: white text on it reads (contrast 4.5:1 or more)
    const root = document.documentElement.style;
    root.setProperty("--sr-primary", look.accentColor);
    root.setProperty("--sr-primary-hover", look.accentColor);
    root.setProperty("--sr-primary-text", "#ffffff");
    root.setProperty("--sr-accent", look.accentColor);
  }
  const shop = document.querySelector("[data-shop-link]");
  if (shop && look.shopUrl) {
    shop.href = look.shopUrl;
    shop.textContent = t("portal.backToShop", { name });
    shop.hidden = false;
  }
  if (look.name) document.title = `${t("portal.pageTitle")} · ${look.name}`;
}
