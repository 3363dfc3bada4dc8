fn main() {
    sori_widget_core::css::build_script();
}
