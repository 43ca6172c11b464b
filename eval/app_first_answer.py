"""`rag bench`: the Streamlit app, through AppTest, from start to a first answer.

    python eval/app_first_answer.py ui/app.py QUESTION   (prints the app's errors as JSON)
"""

import json
import sys

from streamlit.testing.v1 import AppTest

at = AppTest.from_file(sys.argv[1], default_timeout=300).run()
at.text_input(key="question").set_value(sys.argv[2])
at.button(key="FormSubmitter:ask-Search").click().run()
print(json.dumps([str(e.value) for e in at.exception]))
