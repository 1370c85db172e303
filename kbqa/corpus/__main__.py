from kbqa.corpus.build import main

raise SystemExit(main())
