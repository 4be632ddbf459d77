"""The red-flag registry: one small module per indicator (`registry.INDICATORS`), the hits they
find (`oversight.models.RedFlagHit`), found when events happen and by the nightly full pass
(`run`). See docs/oversight.md, "Red flags"."""
